import { useEffect, useState } from 'react';
import type { ImageRecord } from '../../../shared/contract';
import { useTileLoader } from '../data/tiles/context';
import { isTileLoadError, type TileImage, type TileLoader } from '../data/tiles/tile-loader';
import { singleTileLevel } from './tile-source';

/**
 * The thumbnail through the tile loader (cached and encrypted like the tiles); when the
 * service has none (404), or it is not cached and the workstation is offline, the pyramid's
 * single-tile level, which prefetch always stores.
 */
async function loadThumbnail(loader: TileLoader, image: TileImage, signal: AbortSignal): Promise<Blob> {
  try {
    return await loader.load({ image, thumbnail: true }, 'foreground', signal);
  } catch (error) {
    if (!isTileLoadError(error, 'not-found') && !isTileLoadError(error, 'offline') && !isTileLoadError(error, 'network')) throw error;
    const level = singleTileLevel(image.width, image.height, image.tileSize);
    return loader.load({ image, level, col: 0, row: 0 }, 'foreground', signal);
  }
}

/**
 * A thumbnail shown from a blob URL (an `<img src>` to the API could not send the token, nor
 * read the encrypted cache), revoked when no longer shown.
 */
export function Thumbnail({ image }: { image: ImageRecord }) {
  const loader = useTileLoader();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const { id, referralId, width, height, tileSize, overlap, format } = image;

  useEffect(() => {
    const abort = new AbortController();
    let objectUrl: string | null = null;
    setFailed(false);
    // A 401 fails here too; the loader has already told the app to ask for a sign-in.
    loadThumbnail(loader, { id, referralId, width, height, tileSize, overlap, format }, abort.signal).then(
      (blob) => {
        if (abort.signal.aborted) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => {
        if (!abort.signal.aborted) setFailed(true);
      },
    );
    return () => {
      abort.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [loader, id, referralId, width, height, tileSize, overlap, format]);

  if (url) return <img className="thumb-img" src={url} alt="" draggable={false} />;
  return <span className="thumb-img thumb-placeholder" aria-hidden="true">{failed ? '?' : ''}</span>;
}
