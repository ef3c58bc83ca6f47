import { useEffect, useRef, useState } from 'react';
import type { AnnotationShape, ImageRecord, Point } from '../../../shared/contract';
import { calibrateMmPerPixel } from '../../../shared/viewer/measure';
import { useSession } from '../app/session';
import { AnnotationLayer } from '../annotate/AnnotationLayer';
import { AnnotationPanel } from '../annotate/AnnotationPanel';
import type { Tool } from '../annotate/draw-tool';
import { useAnnotationsFor, useCalibration } from '../data/hooks';
import { AdjustmentsPanel } from './AdjustmentsPanel';
import { NEUTRAL, type Adjustments } from './adjustments';
import { DeepZoomPane, type PaneHandle } from './DeepZoomPane';
import type { ViewerCommand } from './keymap';
import { navigate } from './navigation';
import { QualityMark } from './QualityMark';
import { useViewerKeys } from './use-viewer-keys';
import './viewer.css';
import type { ImageMark } from '../../../shared/viewer/workbench';

interface Props {
  image: ImageRecord;
  /** "Image 1: dermoscopic, left lower leg, 1 Nov 2026" */
  label: string;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onCompare(): void;
  onHelp(): void;
  onMarkedUnusable(mark: ImageMark): void;
}

/**
 * The single-image viewer: deep zoom with the full key map, rotate and flip, full screen,
 * display adjustments, measurement and annotation drawn in image pixels, and the image's
 * quality mark. Adjustments, rotation and flip belong to this view only and start neutral for
 * every image.
 */
export function ImageViewer({ image, label, onPrevious, onNext, onCompare, onHelp, onMarkedUnusable }: Props) {
  const { workspace } = useSession();
  const regionRef = useRef<HTMLDivElement>(null);
  const paneRef = useRef<PaneHandle>(null);
  const [fullyLoaded, setFullyLoaded] = useState(false);
  const [flipped, setFlipped] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [adjusting, setAdjusting] = useState(false);
  const [adjustments, setAdjustments] = useState<Adjustments>(NEUTRAL);
  const [tool, setTool] = useState<Tool | null>(null);
  const [pending, setPending] = useState<{ shape: AnnotationShape; tool: Tool } | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const annotations = useAnnotationsFor(image.referralId).filter((a) => a.imageId === image.id);
  const calibration = useCalibration(image.id);
  const mmPerPixel = calibration?.mmPerPixel ?? image.mmPerPixel ?? null;
  const scaleSource = calibration ? 'calibration' : image.mmPerPixel ? 'metadata' : null;

  // A new image starts from a neutral view, with no tool half-used on the last one.
  useEffect(() => {
    setAdjustments(NEUTRAL);
    setTool(null);
    setPending(null);
    setSelectedId(null);
    setFullyLoaded(false);
  }, [image.id]);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === regionRef.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void regionRef.current?.requestFullscreen().catch(() => undefined);
  };

  const onCommand = (command: ViewerCommand): boolean => {
    switch (command) {
      case 'leave-mode':
        if (pending) setPending(null);
        else if (tool) setTool(null);
        else if (adjusting) setAdjusting(false);
        else return false; // nothing to leave: the case view takes Escape
        return true;
      case 'previous-image':
        onPrevious?.();
        return Boolean(onPrevious);
      case 'next-image':
        onNext?.();
        return Boolean(onNext);
      case 'compare':
        onCompare();
        return true;
      case 'help':
        onHelp();
        return true;
      default:
        return paneRef.current ? navigate(command, paneRef.current) : false;
    }
  };
  useViewerKeys(onCommand);

  const onCalibrate = async (from: Point, to: Point, knownMm: number) => {
    await workspace.workbench.setCalibration({
      imageId: image.id,
      from,
      to,
      knownMm,
      mmPerPixel: calibrateMmPerPixel(from, to, knownMm),
      at: new Date().toISOString(),
    });
    setPending(null);
    setTool(null);
  };

  const command = (c: ViewerCommand) => () => void onCommand(c);

  return (
    <div
      ref={regionRef}
      className={`viewer${fullscreen ? ' fullscreen' : ''}`}
      role="region"
      aria-label="Image viewer"
      data-image-id={image.id}
      data-fully-loaded={fullyLoaded ? 'true' : 'false'}
      aria-busy={!fullyLoaded}
    >
      <div className="viewer-toolbar">
        <p className="viewer-caption">
          {label}
          <span className="muted">
            {' '}
            · {image.width.toLocaleString('en-GB')} × {image.height.toLocaleString('en-GB')} px
          </span>
        </p>
        <div className="viewer-controls" role="toolbar" aria-label="View">
          <button type="button" className="button icon" aria-label="Previous image" title="Previous image ([)" disabled={!onPrevious} onClick={command('previous-image')}>
            ‹
          </button>
          <button type="button" className="button icon" aria-label="Next image" title="Next image (])" disabled={!onNext} onClick={command('next-image')}>
            ›
          </button>
          <button type="button" className="button icon" aria-label="Zoom in" title="Zoom in (+)" onClick={command('zoom-in')}>
            +
          </button>
          <button type="button" className="button icon" aria-label="Zoom out" title="Zoom out (−)" onClick={command('zoom-out')}>
            −
          </button>
          <button type="button" className="button" title="Fit the whole image (0)" onClick={command('fit')}>
            Fit
          </button>
          <button type="button" className="button" aria-label="Actual pixels" title="One image pixel per screen pixel (1)" onClick={command('actual-pixels')}>
            1:1
          </button>
          <button type="button" className="button" aria-label="Rotate clockwise" title="Rotate 90° clockwise (R; Shift+R anticlockwise)" onClick={command('rotate-cw')}>
            Rotate
          </button>
          <button type="button" className="button" aria-label="Flip horizontally" aria-pressed={flipped} title="Mirror the image (F)" onClick={command('flip')}>
            Flip
          </button>
          <button type="button" className="button" aria-label="Full screen" aria-pressed={fullscreen} title="Full screen (Esc leaves)" onClick={toggleFullscreen}>
            Full screen
          </button>
          <button type="button" className="button" aria-expanded={adjusting} aria-controls={`adjust-${image.id}`} onClick={() => setAdjusting((a) => !a)}>
            Adjust
          </button>
          <button type="button" className="button" title="Compare with earlier images of this lesion (C)" onClick={onCompare}>
            Compare
          </button>
          <button type="button" className="button icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp}>
            ?
          </button>
        </div>
      </div>
      <div className="viewer-body">
        <div className="viewer-stage">
          <DeepZoomPane
            ref={paneRef}
            image={image}
            label={label}
            adjustments={adjustments}
            onFullyLoaded={(id, loaded) => {
              if (id === image.id) setFullyLoaded(loaded);
            }}
            onPose={(pose) => setFlipped((f) => (f === pose.flip ? f : pose.flip))}
            overlay={(toScreen) => (
              <AnnotationLayer
                imageWidth={image.width}
                imageHeight={image.height}
                toScreen={toScreen}
                annotations={annotations}
                tool={pending ? null : tool}
                selectedId={selectedId}
                onSelect={setSelectedId}
                onDrawn={(shape, t) => setPending({ shape, tool: t })}
                mmPerPixel={mmPerPixel}
                pendingShape={pending?.shape}
              />
            )}
          />
        </div>
        <aside className="viewer-side" aria-label="Image tools">
          {adjusting && (
            <div id={`adjust-${image.id}`}>
              <AdjustmentsPanel value={adjustments} onChange={setAdjustments} />
            </div>
          )}
          <QualityMark image={image} onMarked={onMarkedUnusable} />
          <AnnotationPanel
            image={image}
            annotations={annotations}
            tool={tool}
            onToolChange={(t) => {
              setPending(null);
              setTool(t);
            }}
            selectedId={selectedId}
            onSelect={setSelectedId}
            mmPerPixel={mmPerPixel}
            scaleSource={scaleSource}
            pendingShape={pending}
            onPendingDone={() => setPending(null)}
            onCalibrate={onCalibrate}
          />
        </aside>
      </div>
    </div>
  );
}
