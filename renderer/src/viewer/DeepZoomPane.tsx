import OpenSeadragon from 'openseadragon';
import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState, type ReactNode } from 'react';
import type { ImageRecord } from '../../../shared/contract';
import { IDENTITY, type Affine } from '../../../shared/viewer/affine';
import { normaliseDegrees, poseToAffine, type PaneSize, type ViewPose } from '../../../shared/viewer/pose';
import { useSession } from '../app/session';
import { useTileLoader } from '../data/tiles/context';
import type { TileImage } from '../data/tiles/tile-loader';
import { preferredDrawers } from '../case/drawer-choice';
import { cssFilter, gammaExponent, NEUTRAL, type Adjustments } from './adjustments';
import { loaderTileSource, type TileSourceHooks } from './loader-tile-source';

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

/** The best-effort record that this clinician viewed the image (see the open effect). */
function recordView(imageId: string, client: { imageDescriptor(id: string): Promise<unknown> } | null): void {
  if (!client || navigator.onLine === false) return;
  void client.imageDescriptor(imageId).catch(() => undefined);
}

interface LoadState {
  readonly imageId: string | null;
  readonly opened: boolean;
  readonly fullyLoaded: boolean;
  readonly error: string | null;
  /** Some tiles could not be had offline; they load when the connection returns. */
  readonly offlineGaps: boolean;
}
const NOT_OPENED: LoadState = { imageId: null, opened: false, fullyLoaded: false, error: null, offlineGaps: false };

/** What a pane's owner can do to it; every call is a no-op until the image has opened. */
export interface PaneHandle {
  pose(): ViewPose | null;
  setPose(pose: ViewPose, immediately: boolean): void;
  zoomBy(factor: number): void;
  fit(): void;
  /** One image pixel on one device pixel: true 1:1, whatever the screen's scaling. */
  actualPixels(): void;
  /** Pans by a fraction of the pane's size, in screen directions. */
  panBy(dxFraction: number, dyFraction: number): void;
  rotateBy(degrees: number): void;
  toggleFlip(): void;
}

interface Props {
  image: ImageRecord;
  /** "Image 1: dermoscopic, left lower leg, 1 Nov 2026" */
  label: string;
  adjustments?: Adjustments;
  showNavigator?: boolean;
  /** Every frame the view changes (user or programmatic). */
  onPose?(pose: ViewPose): void;
  /** The user has started to drive this pane (pointer, wheel, key or focus). */
  onActivate?(): void;
  /** The image's first view is in place (fit), so an owner may now set another pose. */
  onOpened?(): void;
  /** Whether every tile of the current view is drawn (false again when another image opens). */
  onFullyLoaded?(imageId: string, fullyLoaded: boolean): void;
  /** Drawn over the image in pane pixels; given image → pane pixels, updated every frame. */
  overlay?: (toScreen: Affine) => ReactNode;
  className?: string;
}

/**
 * One OpenSeadragon viewer on one image. The pyramid is described by the image record and every
 * tile comes through the tile loader (the encrypted cache, else the service), so a prefetched
 * image opens and pans with no connection. The pane reports where it is looking as a `ViewPose`
 * in image pixels (also written on its element as data attributes, which the tests and the
 * benchmark read), and takes one, so panes showing images of different sizes can be kept in
 * step. OpenSeadragon's own keyboard handling is off: the viewer's key map drives every pane.
 */
export const DeepZoomPane = forwardRef<PaneHandle, Props>(function DeepZoomPane(
  { image, label, adjustments = NEUTRAL, showNavigator = true, onPose, onActivate, onOpened, onFullyLoaded, overlay, className },
  ref,
) {
  const { workspace } = useSession();
  const loader = useTileLoader();
  const rootRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const viewerRef = useRef<OpenSeadragon.Viewer | null>(null);
  const gammaId = `gamma-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const [load, setLoad] = useState<LoadState>(NOT_OPENED);
  const { opened, fullyLoaded, error, offlineGaps } = load.imageId === image.id ? load : NOT_OPENED;
  const [toScreen, setToScreen] = useState<Affine>(IDENTITY);
  const { id, referralId, width, height, tileSize, overlap, format } = image;

  // The callbacks change every render; the OpenSeadragon handlers read the latest through refs.
  const callbacks = useRef({ onPose, onActivate, onOpened, onFullyLoaded, wantsOverlay: Boolean(overlay) });
  callbacks.current = { onPose, onActivate, onOpened, onFullyLoaded, wantsOverlay: Boolean(overlay) };

  const tiled = (): OpenSeadragon.TiledImage | null => {
    const viewer = viewerRef.current;
    if (!viewer || viewer.isDestroyed()) return null;
    return viewer.world.getItemAt(0) ?? null;
  };

  const readPose = (): ViewPose | null => {
    const viewer = viewerRef.current;
    const item = tiled();
    if (!viewer || !item) return null;
    const viewport = viewer.viewport;
    const center = item.viewportToImageCoordinates(viewport.getCenter(true));
    return {
      center: { x: center.x, y: center.y },
      scale: item.viewportToImageZoom(viewport.getZoom(true)),
      rotation: normaliseDegrees(viewport.getRotation(true)),
      flip: viewport.getFlip(),
    };
  };

  const paneSize = (): PaneSize => {
    const el = hostRef.current;
    return { width: el?.clientWidth ?? 0, height: el?.clientHeight ?? 0 };
  };

  useImperativeHandle(ref, (): PaneHandle => {
    const withViewport = (fn: (viewport: OpenSeadragon.Viewport, item: OpenSeadragon.TiledImage) => void) => {
      const item = tiled();
      const viewport = viewerRef.current?.viewport;
      if (item && viewport) fn(viewport, item);
    };
    return {
      pose: readPose,
      setPose(pose, immediately) {
        withViewport((viewport, item) => {
          if (viewport.getFlip() !== pose.flip) viewport.setFlip(pose.flip);
          viewport.setRotation(pose.rotation, immediately);
          viewport.panTo(item.imageToViewportCoordinates(pose.center.x, pose.center.y), immediately);
          viewport.zoomTo(item.imageToViewportZoom(pose.scale), undefined, immediately);
        });
      },
      zoomBy(factor) {
        withViewport((viewport) => {
          viewport.zoomBy(factor);
          viewport.applyConstraints();
        });
      },
      fit() {
        withViewport((viewport) => viewport.goHome());
      },
      actualPixels() {
        withViewport((viewport, item) => viewport.zoomTo(item.imageToViewportZoom(1 / (window.devicePixelRatio || 1))));
      },
      panBy(dxFraction, dyFraction) {
        // In screen directions: through the rotation, and mirrored when flipped (OpenSeadragon's
        // viewport coordinates know neither), so → always shows what is to the right on screen.
        withViewport((viewport) => {
          const size = viewport.getContainerSize();
          const pixels = new OpenSeadragon.Point(size.x * dxFraction * (viewport.getFlip() ? -1 : 1), size.y * dyFraction);
          viewport.panBy(viewport.deltaPointsFromPixels(pixels));
          viewport.applyConstraints();
        });
      },
      rotateBy(degrees) {
        // rotateBy animates the short way round; setting 0 after 270 would spin back.
        withViewport((viewport) => viewport.rotateBy(degrees));
      },
      toggleFlip() {
        withViewport((viewport) => viewport.toggleFlip());
      },
    };
  }, []);

  // One viewer for the life of the pane; images are swapped with open().
  useEffect(() => {
    const element = hostRef.current;
    if (!element) return;
    preemptOsdInlineStyle();
    const viewer = OpenSeadragon({
      element,
      drawer: preferredDrawers(),
      immediateRender: true,
      showNavigator,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorSizeRatio: 0.18,
      navigatorAutoFade: false,
      navigatorBackground: '#1b1f24',
      navigatorBorderColor: '#5d6b79',
      navigatorDisplayRegionColor: '#ffb81c',
      showNavigationControl: false,
      visibilityRatio: 0.5,
      minZoomImageRatio: 0.5,
      maxZoomPixelRatio: 8,
      animationTime: 0.4,
      blendTime: 0.1,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      tabIndex: 0,
    });
    viewer.canvas.setAttribute('role', 'img');
    viewerRef.current = viewer;

    // The key map (keymap.ts) owns the keyboard; OpenSeadragon's own keys (w/a/s/d, r, f…)
    // would otherwise act twice or differently.
    const onCanvasKey = (e: OpenSeadragon.CanvasKeyEvent) => {
      e.preventDefaultAction = true;
    };
    viewer.addHandler('canvas-key', onCanvasKey);

    let frame = 0;
    const onUpdate = () => {
      const pose = readPose();
      if (!pose) return;
      const root = rootRef.current;
      if (root) {
        root.dataset.centerX = pose.center.x.toFixed(2);
        root.dataset.centerY = pose.center.y.toFixed(2);
        root.dataset.scale = pose.scale.toPrecision(6);
        root.dataset.rotation = pose.rotation.toFixed(2);
        root.dataset.flip = String(pose.flip);
      }
      callbacks.current.onPose?.(pose);
      if (callbacks.current.wantsOverlay && !frame) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          const now = readPose();
          if (now) setToScreen(poseToAffine(now, paneSize()));
        });
      }
    };
    viewer.addHandler('update-viewport', onUpdate);
    viewer.addHandler('resize', onUpdate);
    return () => {
      cancelAnimationFrame(frame);
      viewerRef.current = null;
      viewer.destroy();
    };
    // showNavigator is fixed for the pane's life.
  }, []);

  // Open the chosen image; the loaded flag follows its tiled image.
  useEffect(() => {
    const viewer = viewerRef.current;
    if (!viewer) return;
    let cancelled = false;
    let item: OpenSeadragon.TiledImage | null = null;
    let gaps = false;
    // Rebuilt from its fields, so a fresh but equal record (a re-query) does not reopen the image.
    const record: TileImage = { id, referralId, width, height, tileSize, overlap, format };
    const update = (patch: Partial<LoadState>) =>
      setLoad((v) => ({ ...(v.imageId === id ? v : { ...NOT_OPENED, imageId: id }), ...patch }));
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
      item?.removeHandler('fully-loaded-change', onFullyLoaded);
      item = viewer.world.getItemAt(0);
      if (!item) return;
      item.addHandler('fully-loaded-change', onFullyLoaded);
      update({ opened: true, fullyLoaded: item.getFullyLoaded() });
      callbacks.current.onOpened?.();
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
    // read. The pane no longer needs the descriptor, so it reads it only for that record,
    // best effort, and only when online (a view while offline is not recorded).
    recordView(id, workspace.auth.client());

    return () => {
      cancelled = true;
      window.removeEventListener('online', onOnline);
      // The old image's tiles must not hold the foreground slots the new one needs.
      for (const controller of hooks.inFlight) controller.abort();
      item?.removeHandler('fully-loaded-change', onFullyLoaded);
      if (!viewer.isDestroyed()) {
        viewer.removeHandler('open', onOpen);
        viewer.removeHandler('open-failed', onOpenFailed);
      }
    };
  }, [loader, workspace, id, referralId, width, height, tileSize, overlap, format]);

  // The focusable pan/zoom surface says what it shows and how to drive it.
  useEffect(() => {
    viewerRef.current?.canvas.setAttribute('aria-label', `${label}. Arrow keys pan, plus and minus zoom, 0 fits, 1 shows actual pixels, question mark lists every key.`);
  }, [label]);

  // Adjustments paint the canvas differently; the cached pixels stay as they are.
  const filter = cssFilter(adjustments, gammaId);
  useEffect(() => {
    const canvas = viewerRef.current?.drawer.canvas;
    if (canvas instanceof HTMLElement) canvas.style.filter = filter === 'none' ? '' : filter;
  }, [filter]);

  // An overlay that appears on a still view needs the current map at once, not at the next move.
  const hasOverlay = Boolean(overlay);
  useEffect(() => {
    const pose = hasOverlay && opened ? readPose() : null;
    if (pose) setToScreen(poseToAffine(pose, paneSize()));
    // readPose and paneSize read refs only.
  }, [hasOverlay, opened]);

  useEffect(() => {
    callbacks.current.onFullyLoaded?.(id, fullyLoaded);
  }, [id, fullyLoaded]);

  const exponent = gammaExponent(adjustments);
  return (
    <div
      ref={rootRef}
      className={`pane ${className ?? ''}`}
      data-image-id={image.id}
      data-fully-loaded={fullyLoaded ? 'true' : 'false'}
      aria-busy={!fullyLoaded && !error}
      onPointerDownCapture={() => callbacks.current.onActivate?.()}
      onWheelCapture={() => callbacks.current.onActivate?.()}
      onFocusCapture={() => callbacks.current.onActivate?.()}
    >
      <svg className="pane-filters" aria-hidden="true" focusable="false" width="0" height="0">
        <filter id={gammaId} colorInterpolationFilters="sRGB">
          <feComponentTransfer>
            <feFuncR type="gamma" exponent={exponent} />
            <feFuncG type="gamma" exponent={exponent} />
            <feFuncB type="gamma" exponent={exponent} />
          </feComponentTransfer>
        </filter>
      </svg>
      <div ref={hostRef} className="pane-osd viewer-osd" />
      {overlay && opened && overlay(toScreen)}
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
      {offlineGaps && (
        <p className="pane-note" role="status">
          Parts of this image are not saved on this workstation; they load when the connection returns.
        </p>
      )}
    </div>
  );
});
