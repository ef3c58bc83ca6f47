import { useEffect, useState } from 'react';
import type { ImageRecord } from '../../../shared/contract';
import { fetchAuthorizedBlob } from '../data/http';
import { useSession } from '../app/session';
import { singleTileLevel } from './tile-source';

/**
 * A thumbnail fetched with the session's token (an `<img src>` to the API cannot send it) and
 * shown from a blob URL, revoked when no longer shown. Falls back to the pyramid's
 * single-tile level when the service has no thumbnail.
 */
export function Thumbnail({ image }: { image: ImageRecord }) {
  const { client, expire } = useSession();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    let objectUrl: string | null = null;
    void (async () => {
      try {
        let res = await fetchAuthorizedBlob(client, client.thumbnailUrl(image.id), abort.signal);
        if (!res.blob && res.status === 404) {
          const level = singleTileLevel(image.width, image.height, image.tileSize);
          res = await fetchAuthorizedBlob(client, client.tileUrl(image.id, level, 0, 0, image.format), abort.signal);
        }
        if (res.status === 401) return expire();
        if (!res.blob) return setFailed(true);
        objectUrl = URL.createObjectURL(res.blob);
        setUrl(objectUrl);
      } catch {
        if (!abort.signal.aborted) setFailed(true);
      }
    })();
    return () => {
      abort.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [client, expire, image.id, image.width, image.height, image.tileSize, image.format]);

  if (url) return <img className="thumb-img" src={url} alt="" draggable={false} />;
  return <span className="thumb-img thumb-placeholder" aria-hidden="true">{failed ? '?' : ''}</span>;
}
