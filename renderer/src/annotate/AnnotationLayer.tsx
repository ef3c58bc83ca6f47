import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent, type ReactNode, type WheelEvent as ReactWheelEvent } from 'react';
import type { Annotation, AnnotationShape, Point } from '../../../shared/contract';
import { affineToCss, applyAffine, determinant, invertAffine, type Affine } from '../../../shared/viewer/affine';
import { formatMeasurement, measureShape } from '../../../shared/viewer/measure';
import { isTypingTarget } from '../app/typing-target';
import { drawStep, idle, isDrawing, previewOf, type DrawEvent, type DrawKey, type DrawOptions, type DrawState, type Tool } from './draw-tool';
import { centreInImage, isPlacementKey } from '../viewer/centre-placement';
import './annotate.css';

export interface AnnotationLayerProps {
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** Image pixels → pane CSS pixels, updated by the viewer on every frame. */
  readonly toScreen: Affine;
  /** This image's annotations (as `useAnnotationsFor` gives them, filtered to the image). */
  readonly annotations: readonly Annotation[];
  readonly tool: Tool | null;
  readonly selectedId: string | null;
  onSelect(id: string | null): void;
  onDrawn(shape: AnnotationShape, tool: Tool): void;
  readonly mmPerPixel: number | null;
  /** A finished shape waiting for its form in the panel: kept on screen until saved or dropped. */
  readonly pendingShape?: AnnotationShape | null;
}

/** Screen pixels: the marker and hit sizes a clinician sees, whatever the zoom. */
const POINT_RADIUS = 5;
const END_RADIUS = 2.5;
const VERTEX_SIZE = 5;
const LABEL_GAP = 16;
const CLOSE_RADIUS_PX = 8;
const DRAW_KEYS: ReadonlySet<string> = new Set<DrawKey>(['Enter', 'Escape', 'Backspace']);

/**
 * The annotation overlay of one viewer pane. Saved shapes are drawn in image pixels inside a
 * group carrying the viewer's transform, with non-scaling strokes, so they stay put and 2 px
 * wide at any zoom, rotation or mirror; markers and labels are placed in screen pixels so they
 * stay legible. With no tool it lets every pointer event through to the viewer; with one it
 * takes the pointer and feeds the drawing state machine.
 */
export function AnnotationLayer(props: AnnotationLayerProps) {
  const { imageWidth, imageHeight, toScreen, annotations, tool, selectedId, onSelect, onDrawn, mmPerPixel, pendingShape = null } = props;
  const svgRef = useRef<SVGSVGElement>(null);
  const [draw, setDraw] = useState<DrawState | null>(tool ? idle(tool) : null);
  // The pointer handlers and the key listener read the latest values between renders: a
  // press and its release can both arrive before React has re-rendered.
  const live = useRef({ draw, toScreen, tool, onDrawn, onSelect, pointerId: null as number | null });
  live.current.toScreen = toScreen;
  live.current.tool = tool;
  live.current.onDrawn = onDrawn;
  live.current.onSelect = onSelect;

  const scale = Math.sqrt(Math.abs(determinant(toScreen)));
  const options: DrawOptions = { pxPerImagePx: scale, closeRadiusPx: CLOSE_RADIUS_PX, bounds: { width: imageWidth, height: imageHeight } };
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const setState = (next: DrawState | null) => {
    live.current.draw = next;
    setDraw(next);
  };

  // A new tool or another image starts afresh: half a gesture never carries over.
  useEffect(() => {
    live.current.pointerId = null;
    setState(tool ? idle(tool) : null);
  }, [tool, imageWidth, imageHeight]);

  const step = (event: DrawEvent): boolean => {
    const current = live.current.draw;
    const activeTool = live.current.tool;
    if (!current || !activeTool) return false;
    const r = drawStep(current, event, optionsRef.current);
    if (r.state !== current) setState(r.state);
    if (r.done) live.current.onDrawn(r.done, activeTool);
    return r.handled;
  };

  // Keys matter only mid-gesture. Listening in the capture phase from mount (a child's effect
  // runs before its ancestors') puts this ahead of the viewer's own Escape, so the first
  // Escape drops the half-drawn shape and only the next leaves the tool; everyone after
  // ignores a prevented key, the case view's "back to the worklist" included.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !DRAW_KEYS.has(e.key) || isTypingTarget(e.target)) return;
      if (!live.current.draw || !isDrawing(live.current.draw)) return;
      if (step({ type: 'key', key: e.key as DrawKey })) e.preventDefault();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
    // `step` reads everything through refs.
  }, []);

  // Drawing without a pointer: Space places a point at the cross in the pane's centre; the
  // arrow keys (and +/-) move the image under it. A line, rectangle, ellipse or calibration
  // takes two presses (its two ends or corners), a polygon one press a corner and Enter to
  // finish (see centre-placement.ts).
  const keyboardDrag = useRef(false);
  const centre = (): Point | null => (svgRef.current ? centreInImage(svgRef.current, live.current.toScreen) : null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isPlacementKey(e)) return;
      const current = live.current.draw;
      if (!current || current.tool === 'freehand') return;
      const p = centre();
      if (!p) return;
      e.preventDefault();
      if (current.phase === 'dragging' && keyboardDrag.current) {
        keyboardDrag.current = false;
        step({ type: 'pointerMove', p });
        step({ type: 'pointerUp', p });
      } else if (current.phase === 'idle' && (current.tool === 'line' || current.tool === 'calibrate' || current.tool === 'rect' || current.tool === 'ellipse')) {
        keyboardDrag.current = true;
        step({ type: 'pointerDown', p });
      } else {
        step({ type: 'pointerDown', p });
        step({ type: 'pointerUp', p });
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
    // `step` and `centre` read everything through refs.
  }, []);
  // While a keyboard gesture is open, its far end follows the cross as the image moves.
  useEffect(() => {
    if (!keyboardDrag.current || live.current.draw?.phase !== 'dragging') {
      keyboardDrag.current = false;
      return;
    }
    const p = centre();
    if (p) step({ type: 'pointerMove', p });
  }, [toScreen]);

  const toImage = (e: { readonly clientX: number; readonly clientY: number }): Point | null => {
    const svg = svgRef.current;
    if (!svg) return null;
    const box = svg.getBoundingClientRect();
    try {
      return applyAffine(invertAffine(live.current.toScreen), { x: e.clientX - box.left, y: e.clientY - box.top });
    } catch {
      // A collapsed view (zero size mid-layout) has no image position to draw at.
      return null;
    }
  };

  const onPointerDown = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (!tool || e.button !== 0 || live.current.pointerId !== null) return;
    const p = toImage(e);
    if (!p) return;
    // Keep the browser from selecting text or starting a native drag under the pen.
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    live.current.pointerId = e.pointerId;
    if (live.current.draw?.phase === 'idle' && selectedId !== null) live.current.onSelect(null);
    step({ type: 'pointerDown', p });
  };

  const onPointerMove = (e: ReactPointerEvent<SVGSVGElement>) => {
    // Hover moves (no button) matter too: the polygon's rubber band follows the pointer.
    if (!tool || (live.current.pointerId !== null && e.pointerId !== live.current.pointerId)) return;
    const p = toImage(e);
    if (p) step({ type: 'pointerMove', p });
  };

  const endPointer = (e: ReactPointerEvent<SVGSVGElement>, cancelled: boolean) => {
    if (e.pointerId !== live.current.pointerId) return;
    live.current.pointerId = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    const p = toImage(e);
    // A polygon lives across presses, so a cancelled press leaves it be; any other gesture
    // that the system took away (a touch turned scroll, a lost window) is dropped.
    if (cancelled || !p) {
      if (live.current.draw?.phase !== 'polygon') step({ type: 'key', key: 'Escape' });
      return;
    }
    step({ type: 'pointerUp', p });
  };

  // While drawing, the layer covers the viewer; the wheel still zooms it (a polygon round a
  // large lesion needs zooming mid-way), so it is handed to whatever lies underneath.
  const onWheel = (e: ReactWheelEvent<SVGSVGElement>) => {
    const svg = svgRef.current;
    if (!tool || !svg) return;
    const before = svg.style.pointerEvents;
    svg.style.pointerEvents = 'none';
    const below = document.elementFromPoint(e.clientX, e.clientY);
    svg.style.pointerEvents = before;
    if (below && below !== svg && !svg.contains(below)) below.dispatchEvent(new WheelEvent('wheel', e.nativeEvent));
  };

  const onDoubleClick = () => {
    if (tool) step({ type: 'doubleClick' });
  };

  const validScale = mmPerPixel !== null && Number.isFinite(mmPerPixel) && mmPerPixel > 0 ? mmPerPixel : null;
  const matrix = affineToCss(toScreen);

  // Saved outlines do not depend on the view: only their group's transform changes per frame.
  const saved = useMemo(
    () =>
      annotations.map((a) => (
        <g key={a.id} className={`ann${a.id === selectedId ? ' ann-selected' : ''}`}>
          {outline(a.shape)}
        </g>
      )),
    [annotations, selectedId],
  );
  const measured = useMemo(
    () =>
      annotations.flatMap((a) => {
        if (!LABELLED.has(a.shape.kind)) return [];
        const first = measureShape(a.shape, validScale)[0];
        return first ? [{ annotation: a, text: formatMeasurement(first) }] : [];
      }),
    [annotations, validScale],
  );

  const preview = draw ? previewOf(draw, options) : null;
  const previewLabel =
    preview && preview.tool !== 'polygon' && LABELLED.has(preview.shape.kind)
      ? measureShape(preview.shape, preview.tool === 'calibrate' ? null : validScale)[0]
      : undefined;

  const count = annotations.length;
  return (
    <svg
      ref={svgRef}
      className="annotation-layer"
      role="img"
      aria-label={count === 0 ? 'No annotations' : `${count} annotation${count === 1 ? '' : 's'}`}
      data-tool={tool ?? undefined}
      style={{ pointerEvents: tool ? 'auto' : 'none', cursor: tool ? 'crosshair' : undefined, touchAction: tool ? 'none' : undefined }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={(e) => endPointer(e, false)}
      onPointerCancel={(e) => endPointer(e, true)}
      onLostPointerCapture={(e) => {
        if (e.pointerId === live.current.pointerId) endPointer(e, true);
      }}
      onDoubleClick={onDoubleClick}
      onWheel={onWheel}
    >
      <g transform={matrix}>
        {saved}
        {pendingShape && <g className="ann ann-pending">{outline(pendingShape)}</g>}
        {preview && preview.tool !== 'point' && (
          <g className={`ann ann-preview${preview.tool === 'calibrate' ? ' ann-calibrate' : ''}`}>{outline(preview.shape)}</g>
        )}
      </g>
      {annotations.map((a) => markers(a.shape, toScreen, `ann-marker${a.id === selectedId ? ' ann-selected' : ''}`, a.id))}
      {pendingShape && markers(pendingShape, toScreen, 'ann-marker ann-pending', 'pending')}
      {preview && markers(preview.shape, toScreen, 'ann-marker ann-preview', 'preview')}
      {preview?.vertices.map((v, i) => {
        const s = applyAffine(toScreen, v);
        return i === 0 && preview.closable ? (
          <circle key={`v${i}`} className="ann-close-target" cx={s.x} cy={s.y} r={CLOSE_RADIUS_PX} />
        ) : (
          <rect key={`v${i}`} className="ann-vertex" x={s.x - VERTEX_SIZE / 2} y={s.y - VERTEX_SIZE / 2} width={VERTEX_SIZE} height={VERTEX_SIZE} />
        );
      })}
      {measured.map(({ annotation, text }) => (
        <Label key={annotation.id} at={labelAnchor(annotation.shape, toScreen)} selected={annotation.id === selectedId}>
          {text}
        </Label>
      ))}
      {preview && previewLabel && <Label at={labelAnchor(preview.shape, toScreen)}>{formatMeasurement(previewLabel)}</Label>}
      {tool && tool !== 'freehand' && (
        <svg className="ann-crosshair" x="50%" y="50%" overflow="visible" aria-hidden="true">
          <line x1={-12} x2={12} y1={0} y2={0} />
          <line x1={0} x2={0} y1={-12} y2={12} />
        </svg>
      )}
    </svg>
  );
}

/** Shapes whose first measurement is worth a label on the image (a point has none; a freehand path's length rarely matters). */
const LABELLED: ReadonlySet<AnnotationShape['kind']> = new Set(['line', 'rect', 'ellipse', 'polygon']);

function Label({ at, selected = false, children }: { at: Point; selected?: boolean; children: ReactNode }) {
  return (
    <text className={`ann-label${selected ? ' ann-selected' : ''}`} x={at.x} y={at.y} textAnchor="middle" dominantBaseline="hanging">
      {children}
    </text>
  );
}

/** A shape in image pixels, twice: a dark casing under the coloured stroke shows on any skin. */
function outline(shape: AnnotationShape): ReactNode {
  const element = (className: string) => {
    const common = { className, vectorEffect: 'non-scaling-stroke' as const };
    switch (shape.kind) {
      case 'point':
        return null;
      case 'line':
        return <line {...common} x1={shape.from.x} y1={shape.from.y} x2={shape.to.x} y2={shape.to.y} />;
      case 'rect':
        return <rect {...common} x={shape.x} y={shape.y} width={shape.width} height={shape.height} />;
      case 'ellipse':
        return <ellipse {...common} cx={shape.center.x} cy={shape.center.y} rx={shape.rx} ry={shape.ry} />;
      case 'polygon':
        return <polygon {...common} points={pointList(shape.points)} />;
      case 'freehand':
        return <polyline {...common} points={pointList(shape.points)} />;
    }
  };
  return (
    <>
      {element('ann-casing')}
      {element('ann-stroke')}
    </>
  );
}

/** Points and line ends, drawn in screen pixels so they keep their size at any zoom. */
function markers(shape: AnnotationShape, toScreen: Affine, className: string, key: string): ReactNode {
  if (shape.kind === 'point') {
    const s = applyAffine(toScreen, shape.at);
    return (
      <g key={key} className={className}>
        <circle className="ann-casing" cx={s.x} cy={s.y} r={POINT_RADIUS} />
        <circle className="ann-stroke" cx={s.x} cy={s.y} r={POINT_RADIUS} />
        <circle className="ann-dot" cx={s.x} cy={s.y} r={1.5} />
      </g>
    );
  }
  if (shape.kind === 'line') {
    const ends = [applyAffine(toScreen, shape.from), applyAffine(toScreen, shape.to)];
    return (
      <g key={key} className={className}>
        {ends.map((s, i) => (
          <circle key={i} className="ann-end" cx={s.x} cy={s.y} r={END_RADIUS} />
        ))}
      </g>
    );
  }
  return null;
}

function pointList(points: readonly Point[]): string {
  let s = '';
  for (const p of points) s += `${p.x},${p.y} `;
  return s.trimEnd();
}

/** Enough of an ellipse's outline that its on-screen extent is right whatever the rotation. */
function outlinePoints(shape: AnnotationShape): readonly Point[] {
  switch (shape.kind) {
    case 'point':
      return [shape.at];
    case 'line':
      return [shape.from, shape.to];
    case 'rect':
      return [
        { x: shape.x, y: shape.y },
        { x: shape.x + shape.width, y: shape.y },
        { x: shape.x + shape.width, y: shape.y + shape.height },
        { x: shape.x, y: shape.y + shape.height },
      ];
    case 'ellipse':
      return Array.from({ length: 24 }, (_, i) => {
        const t = (i / 24) * 2 * Math.PI;
        return { x: shape.center.x + shape.rx * Math.cos(t), y: shape.center.y + shape.ry * Math.sin(t) };
      });
    case 'polygon':
    case 'freehand':
      return shape.points;
  }
}

/**
 * Under the shape as it appears on screen (rotated or mirrored alike): centred below its
 * on-screen extent, so the label never covers what it measures.
 */
function labelAnchor(shape: AnnotationShape, toScreen: Affine): Point {
  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of outlinePoints(shape)) {
    const s = applyAffine(toScreen, p);
    minX = Math.min(minX, s.x);
    maxX = Math.max(maxX, s.x);
    maxY = Math.max(maxY, s.y);
  }
  return { x: (minX + maxX) / 2, y: maxY + LABEL_GAP / 2 };
}
