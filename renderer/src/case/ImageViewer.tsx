import OpenSeadragon from 'openseadragon';
import { useEffect, useId, useRef, useState } from 'react';
import type { ImageRecord } from '../../../shared/contract';
import { useSession } from '../app/session';
import { useTileLoader } from '../data/tiles/context';
import { isTileLoadError, type TileImage, type TileLoader } from '../data/tiles/tile-loader';
import { preferredDrawers } from './drawer-choice';
import { dziTileSource } from './tile-source';

/**
 * OpenSeadragon injects an inline <style> (hiding the canvas focus ring on touch screens)
 * unless `document.querySelector('style[data-openseadragon-mobile-css]')` finds one. Our CSP
 * refuses inline styles (and we want that focus ring), and even an empty HTML <style> is
 * checked by the CSP. So the marker is an inert element named "style" in a namespace of our
 * own: the selector matches it, the browser never treats it as a style sheet.
 */
function preemptOsdInlineStyle(): void {
  if (document.querySelector('style[data-openseadragon-mobile-css]')) return;
  const marker = document.createElementNS('urn:loupe:inert', 'style');
  marker.setAttribute('data-openseadragon-mobile-css', 'inert');
  document.head.appendChild(marker);
}

/** What the viewer keeps per OpenSeadragon job, so an abort reaches the loader. */
interface TileJobData {
  controller?: AbortController;
}

interface TileSourceHooks {
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
function loaderTileSource(image: TileImage, loader: TileLoader, hooks: TileSourceHooks) {
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

/** The best-effort record that this clinician viewed the image (see the open effect). */
function recordView(imageId: string, client: { imageDescriptor(id: string): Promise<unknown> } | null): void {
  if (!client || navigator.onLine === false) return;
  void client.imageDescriptor(imageId).catch(() => undefined);
}

interface ViewState {
  readonly imageId: string | null;
  readonly opened: boolean;
  readonly fullyLoaded: boolean;
  readonly error: string | null;
  /** Some tiles could not be had offline; they load when the connection returns. */
  readonly offlineGaps: boolean;
}
const NOT_OPENED: ViewState = { imageId: null, opened: false, fullyLoaded: false, error: null, offlineGaps: false };

interface Props {
  image: ImageRecord;
  /** "Image 1: dermoscopic, left lower leg, 1 Nov 2026" */
  label: string;
}

/**
 * Deep-zoom viewer of one image. The pyramid is described by the image record and every tile
 * comes through the tile loader (the encrypted cache, else the service), so a prefetched image
 * opens and pans with no connection. `data-fully-loaded` on the region turns "true" when the
 * tiled image reports every tile for the current view is in, and goes back to "false" when
 * another image is chosen.
 */
export function ImageViewer({ image, label }: Props) {
  const { workspace } = useSession();
  const loader = useTileLoader();
  const hostRef = useRef<HTMLDivElement>(null);
  const viewerRef = useRef<OpenSeadragon.Viewer | null>(null);
  const captionId = useId();
  // Keyed by image id, so the very render that switches images already shows it not loaded.
  const [view, setView] = useState<ViewState>(NOT_OPENED);
  const { opened, fullyLoaded, error, offlineGaps } = view.imageId === image.id ? view : NOT_OPENED;
  const { id, referralId, width, height, tileSize, overlap, format } = image;

  // One viewer for the life of the case view; images are swapped with open(). OpenSeadragon
  // makes no requests of its own (see loaderTileSource), so it needs no headers or CORS mode:
  // the pixels reach WebGL as ImageBitmaps decoded from Blobs, which never taint it.
  useEffect(() => {
    const element = hostRef.current;
    if (!element) return;
    preemptOsdInlineStyle();
    const viewer = OpenSeadragon({
      element,
      drawer: preferredDrawers(),
      immediateRender: true,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorSizeRatio: 0.18,
      navigatorAutoFade: false,
      navigatorBackground: '#1b1f24',
      navigatorBorderColor: '#5d6b79',
      navigatorDisplayRegionColor: '#ffb81c',
      showNavigationControl: false,
      visibilityRatio: 0.5,
      minZoomImageRatio: 0.8,
      maxZoomPixelRatio: 4,
      animationTime: 0.5,
      blendTime: 0.1,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      tabIndex: 0,
    });
    viewer.canvas.setAttribute('role', 'img');
    viewerRef.current = viewer;
    return () => {
      viewerRef.current = null;
      viewer.destroy();
    };
  }, []);

  // Open the chosen image; the loaded flag follows its tiled image.
  useEffect(() => {
    const viewer = viewerRef.current;
    if (!viewer) return;
    let cancelled = false;
    let tiled: OpenSeadragon.TiledImage | null = null;
    let gaps = false;
    // Rebuilt from its fields, so a fresh but equal record (a re-query) does not reopen the image.
    const record: TileImage = { id, referralId, width, height, tileSize, overlap, format };
    const update = (patch: Partial<ViewState>) =>
      setView((v) => ({ ...(v.imageId === id ? v : { ...NOT_OPENED, imageId: id }), ...patch }));
    const hooks: TileSourceHooks = {
      inFlight: new Set(),
      // Jobs of an image no longer shown are still completed (as failed, once aborted), as
      // OpenSeadragon's own requests would be; only a destroyed viewer is left alone.
      isDestroyed: () => viewer.isDestroyed(),
      onOfflineGap: () => {
        if (gaps || cancelled) return;
        gaps = true;
        update({ offlineGaps: true });
      },
    };

    const onFullyLoaded = (e: OpenSeadragon.FullyLoadedChangeTiledImageEvent) => {
      if (!cancelled) update({ fullyLoaded: e.fullyLoaded });
    };
    const onOpen = () => {
      if (cancelled) return;
      tiled?.removeHandler('fully-loaded-change', onFullyLoaded);
      tiled = viewer.world.getItemAt(0);
      if (!tiled) return;
      tiled.addHandler('fully-loaded-change', onFullyLoaded);
      update({ opened: true, fullyLoaded: tiled.getFullyLoaded() });
    };
    const onOpenFailed = (e: OpenSeadragon.OpenFailedEvent) => {
      if (!cancelled) update({ error: `The image could not be opened (${e.message}).` });
    };
    const open = () => {
      viewer.addOnceHandler('open', onOpen);
      viewer.addOnceHandler('open-failed', onOpenFailed);
      viewer.open({ tileSource: loaderTileSource(record, loader, hooks) });
    };
    // OpenSeadragon marks a failed tile as missing and does not ask again, so when the
    // connection returns after a gap, open the image again where the clinician was looking:
    // tiles already had come from the cache, the missing ones from the service.
    const onOnline = () => {
      if (!gaps || cancelled || viewer.isDestroyed()) return;
      gaps = false;
      update({ offlineGaps: false });
      const bounds = viewer.viewport.getBounds();
      viewer.addOnceHandler('open', () => viewer.viewport.fitBounds(bounds, true));
      open();
    };

    open();
    window.addEventListener('online', onOnline);
    // Viewing an image is an audited event on the service, recorded when its descriptor is
    // read. The viewer no longer needs the descriptor, so it reads it only for that record,
    // best effort, and only when online (a view while offline is not recorded).
    recordView(id, workspace.auth.client());

    return () => {
      cancelled = true;
      window.removeEventListener('online', onOnline);
      // The old image's tiles must not hold the foreground slots the new one needs.
      for (const controller of hooks.inFlight) controller.abort();
      tiled?.removeHandler('fully-loaded-change', onFullyLoaded);
      if (!viewer.isDestroyed()) {
        viewer.removeHandler('open', onOpen);
        viewer.removeHandler('open-failed', onOpenFailed);
      }
    };
  }, [loader, workspace, id, referralId, width, height, tileSize, overlap, format]);

  // The focusable pan/zoom surface says what it shows and how to drive it.
  useEffect(() => {
    viewerRef.current?.canvas.setAttribute('aria-label', `${label}. Arrow keys pan, plus and minus zoom, 0 fits the image.`);
  }, [label]);

  const zoom = (factor: number) => {
    const viewport = viewerRef.current?.viewport;
    if (!viewport) return;
    viewport.zoomBy(factor);
    viewport.applyConstraints();
  };

  return (
    <div
      className="viewer"
      role="region"
      aria-label="Image viewer"
      aria-describedby={captionId}
      aria-busy={!fullyLoaded && !error}
      data-image-id={image.id}
      data-fully-loaded={fullyLoaded ? 'true' : 'false'}
    >
      <div className="viewer-toolbar">
        <p id={captionId} className="viewer-caption">
          {label}
          <span className="muted">
            {' '}
            · {image.width.toLocaleString('en-GB')} × {image.height.toLocaleString('en-GB')} px
            {image.mmPerPixel ? ` · ${(image.mmPerPixel * 1000).toFixed(0)} µm/px` : ''}
          </span>
          <span className="muted" role="status">
            {offlineGaps ? ' · Parts of this image are not saved on this workstation; they will load when the connection returns.' : ''}
          </span>
        </p>
        <div className="viewer-controls" role="toolbar" aria-label="Zoom">
          <button type="button" className="button icon" aria-label="Zoom in" title="Zoom in (+)" onClick={() => zoom(1.5)}>
            +
          </button>
          <button type="button" className="button icon" aria-label="Zoom out" title="Zoom out (−)" onClick={() => zoom(1 / 1.5)}>
            −
          </button>
          <button
            type="button"
            className="button"
            title="Fit the whole image (0)"
            onClick={() => viewerRef.current?.viewport.goHome()}
          >
            Reset view
          </button>
        </div>
      </div>
      <div className="viewer-stage">
        <div ref={hostRef} className="viewer-osd" />
        {error && (
          <p className="viewer-error" role="alert">
            {error}
          </p>
        )}
        {!opened && !error && (
          <p className="viewer-loading" aria-hidden="true">
            Loading image…
          </p>
        )}
      </div>
    </div>
  );
}
