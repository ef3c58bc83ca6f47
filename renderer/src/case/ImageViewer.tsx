import OpenSeadragon from 'openseadragon';
import { useEffect, useId, useRef, useState } from 'react';
import type { ImageRecord } from '../../../shared/contract';
import { useSession } from '../app/session';
import { describeError, isUnauthorized } from '../format/errors';
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

interface ViewState {
  readonly imageId: string | null;
  readonly opened: boolean;
  readonly fullyLoaded: boolean;
  readonly error: string | null;
}
const NOT_OPENED: ViewState = { imageId: null, opened: false, fullyLoaded: false, error: null };

interface Props {
  image: ImageRecord;
  /** "Image 1: dermoscopic, left lower leg, 1 Nov 2026" */
  label: string;
}

/**
 * Deep-zoom viewer of one image. Tiles are fetched by OpenSeadragon with the session's bearer
 * header; the descriptor comes from the shared client. `data-fully-loaded` on the region turns
 * "true" when the tiled image reports every tile for the current view is in, and goes back
 * to "false" when another image is chosen.
 */
export function ImageViewer({ image, label }: Props) {
  const { client, serviceUrl, expire } = useSession();
  const hostRef = useRef<HTMLDivElement>(null);
  const viewerRef = useRef<OpenSeadragon.Viewer | null>(null);
  const captionId = useId();
  // Keyed by image id, so the very render that switches images already shows it not loaded.
  const [view, setView] = useState<ViewState>({ imageId: null, opened: false, fullyLoaded: false, error: null });
  const { opened, fullyLoaded, error } = view.imageId === image.id ? view : NOT_OPENED;

  // One viewer for the life of the case view; images are swapped with open().
  useEffect(() => {
    const element = hostRef.current;
    if (!element) return;
    // Electron serves the page from loupe://app and the service from http://127.0.0.1:port,
    // which answers CORS: ask for CORS mode so WebGL may read the pixels. Same origin: none.
    const crossOrigin = new URL(serviceUrl).origin !== window.location.origin;
    preemptOsdInlineStyle();
    const viewer = OpenSeadragon({
      element,
      loadTilesWithAjax: true,
      ajaxHeaders: client.authHeader,
      ajaxWithCredentials: false,
      crossOriginPolicy: crossOrigin ? 'Anonymous' : false,
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
  }, [client, serviceUrl]);

  // Open the chosen image; the loaded flag follows its tiled image.
  useEffect(() => {
    const viewer = viewerRef.current;
    if (!viewer) return;
    let cancelled = false;
    let tiled: OpenSeadragon.TiledImage | null = null;
    const imageId = image.id;
    const update = (patch: Partial<ViewState>) =>
      setView((v) => ({ ...(v.imageId === imageId ? v : { ...NOT_OPENED, imageId }), ...patch }));

    const onFullyLoaded = (e: OpenSeadragon.FullyLoadedChangeTiledImageEvent) => {
      if (!cancelled) update({ fullyLoaded: e.fullyLoaded });
    };
    const onOpen = () => {
      if (cancelled) return;
      tiled = viewer.world.getItemAt(0);
      if (!tiled) return;
      tiled.addHandler('fully-loaded-change', onFullyLoaded);
      update({ opened: true, fullyLoaded: tiled.getFullyLoaded() });
    };
    const onOpenFailed = (e: OpenSeadragon.OpenFailedEvent) => {
      if (!cancelled) update({ error: `The image could not be opened (${e.message}).` });
    };

    void client.imageDescriptor(image.id).then(
      (dzi) => {
        if (cancelled || viewer.isDestroyed()) return;
        viewer.setAjaxHeaders(client.authHeader, true);
        viewer.addOnceHandler('open', onOpen);
        viewer.addOnceHandler('open-failed', onOpenFailed);
        viewer.open({
          tileSource: dziTileSource(client.url(`/images/${encodeURIComponent(image.id)}/image_files/`), dzi),
        });
      },
      (err: unknown) => {
        if (cancelled) return;
        if (isUnauthorized(err)) expire();
        else update({ error: describeError(err) });
      },
    );

    return () => {
      cancelled = true;
      tiled?.removeHandler('fully-loaded-change', onFullyLoaded);
      if (!viewer.isDestroyed()) {
        viewer.removeHandler('open', onOpen);
        viewer.removeHandler('open-failed', onOpenFailed);
      }
    };
  }, [client, expire, image.id]);

  // The focusable pan/zoom surface says what it shows and how to drive it.
  useEffect(() => {
    viewerRef.current?.canvas.setAttribute('aria-label', `${label}. Arrow keys pan, plus and minus zoom, 0 fits the image.`);
  }, [label, client, serviceUrl]);

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
