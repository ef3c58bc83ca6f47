import type OpenSeadragon from 'openseadragon';
import { isTileLoadError, type TileImage, type TileLoader } from '../data/tiles/tile-loader';
import { dziTileSource } from '../case/tile-source';

/** What the pane keeps per OpenSeadragon job, so an abort reaches the loader. */
interface TileJobData {
  controller?: AbortController;
}

export interface TileSourceHooks {
  /** Every tile request of this source, so reopening another image can abort them. */
  readonly inFlight: Set<AbortController>;
  /** The viewer is gone: its jobs must not be completed any more. */
  readonly isDestroyed: () => boolean;
  readonly onOfflineGap: () => void;
}

/**
 * A Deep Zoom tile source built from the image record alone (no .dzi request, so it opens
 * offline), whose tiles come from the tile loader (cache first) instead of OpenSeadragon's own
 * requests. OpenSeadragon v6 calls `downloadTileStart(job)` for each tile and expects
 * `job.finish(data, request, dataType)` or `job.fail(message, request)`; a Blob is its
 * 'rasterBlob' data type, decoded with createImageBitmap (no <img>, no CORS or CSP question).
 * The tiles URL is only a name (OpenSeadragon's in-memory cache key); nothing fetches it.
 */
export function loaderTileSource(image: TileImage, loader: TileLoader, hooks: TileSourceHooks) {
  const descriptor = { format: image.format, tileSize: image.tileSize, overlap: image.overlap, width: image.width, height: image.height };
  return {
    ...dziTileSource(`loupe-tiles:${image.id}/`, descriptor),
    downloadTileStart(job: OpenSeadragon.ImageJob): void {
      const controller = new AbortController();
      (job.userData as TileJobData).controller = controller;
      hooks.inFlight.add(controller);
      // No wrapping is configured, so the tile's position is its position in the pyramid.
      const { level, x: col, y: row } = job.tile;
      loader.load({ image, level, col, row }, 'foreground', controller.signal).then(
        (blob) => {
          hooks.inFlight.delete(controller);
          if (!hooks.isDestroyed()) job.finish(blob, null, 'rasterBlob');
        },
        (error: unknown) => {
          hooks.inFlight.delete(controller);
          // jobId is cleared once the job has completed: OpenSeadragon's abort and timeout fail it
          // themselves, and failing it twice would run its completion (and the loader queue) twice.
          if (hooks.isDestroyed() || !job.jobId) return;
          if (isTileLoadError(error, 'offline') || isTileLoadError(error, 'network')) hooks.onOfflineGap();
          // OpenSeadragon's own failure path: tile-load-failed, retry if configured, then give up.
          job.fail(error instanceof Error ? error.message : 'The tile could not be loaded.', null);
        },
      );
    },
    downloadTileAbort(job: OpenSeadragon.ImageJob): void {
      (job.userData as TileJobData).controller?.abort();
    },
  };
}
