import type { AnnotationShape, Point } from '../../../shared/contract';

/*
 * Drawing with a pointer, as a pure state machine: events in image pixels go in, a preview and
 * (once) a finished shape come out. No DOM here, so every gesture is tested without a browser
 * and the overlay only translates pointer events and renders.
 */

export type Tool = 'point' | 'line' | 'rect' | 'ellipse' | 'polygon' | 'freehand' | 'calibrate';

export const TOOLS: readonly Tool[] = ['point', 'line', 'rect', 'ellipse', 'polygon', 'freehand', 'calibrate'];

/** A line (or calibration) shorter than this on screen is a slipped click, not a measurement. */
export const MIN_LINE_SCREEN_PX = 3;
/** A box dragged less than this on screen is a click: a rectangle or ellipse needs a drag. */
export const MIN_BOX_SCREEN_PX = 3;
/** Freehand samples closer than this on screen add bytes, not shape. */
export const FREEHAND_SPACING_SCREEN_PX = 2;
/** The contract's limits. */
export const MAX_FREEHAND_POINTS = 5000;
export const MAX_POLYGON_VERTICES = 1000;
/**
 * A vertex this close to the previous one is the second click of a double-click (which ends the
 * polygon), not a new corner.
 */
export const MIN_VERTEX_SPACING_SCREEN_PX = 3;
export const DEFAULT_CLOSE_RADIUS_PX = 8;

export interface DrawOptions {
  /** Screen (CSS) pixels per image pixel at the current zoom: thresholds are felt on screen. */
  readonly pxPerImagePx: number;
  /** A polygon click within this many screen pixels of its first vertex closes it. */
  readonly closeRadiusPx?: number;
  /** The image's size: points are kept inside it, as the service refuses shapes outside. */
  readonly bounds?: { readonly width: number; readonly height: number };
}

export type DrawState =
  | { readonly phase: 'idle'; readonly tool: Tool }
  | { readonly phase: 'pressing'; readonly tool: 'point'; readonly at: Point }
  | { readonly phase: 'dragging'; readonly tool: 'line' | 'calibrate' | 'rect' | 'ellipse'; readonly start: Point; readonly current: Point }
  | { readonly phase: 'polygon'; readonly tool: 'polygon'; readonly points: readonly Point[]; readonly hover: Point | null }
  | { readonly phase: 'freehand'; readonly tool: 'freehand'; readonly points: readonly Point[] };

export type DrawKey = 'Enter' | 'Escape' | 'Backspace';

export type DrawEvent =
  | { readonly type: 'pointerDown'; readonly p: Point }
  | { readonly type: 'pointerMove'; readonly p: Point }
  | { readonly type: 'pointerUp'; readonly p: Point }
  | { readonly type: 'doubleClick' }
  | { readonly type: 'key'; readonly key: DrawKey };

export interface DrawResult {
  readonly state: DrawState;
  /** The finished shape, exactly once per gesture (a calibration is a `line`). */
  readonly done: AnnotationShape | null;
  /** Whether the event meant something here: a handled key is not passed on to other shortcuts. */
  readonly handled: boolean;
}

/** What to draw while a gesture is under way. Shapes may be degenerate while drawing. */
export interface DrawPreview {
  readonly tool: Tool;
  readonly shape: AnnotationShape;
  /** A polygon's vertices so far (the shape is then the open path through them and the pointer). */
  readonly vertices: readonly Point[];
  /** Whether a click now at the pointer would close the polygon. */
  readonly closable: boolean;
}

export function idle(tool: Tool): DrawState {
  return { phase: 'idle', tool };
}

export function isDrawing(state: DrawState): boolean {
  return state.phase !== 'idle';
}

const result = (state: DrawState, done: AnnotationShape | null = null, handled = true): DrawResult => ({ state, done, handled });
const ignored = (state: DrawState): DrawResult => ({ state, done: null, handled: false });

const distance = (a: Point, b: Point): number => Math.hypot(b.x - a.x, b.y - a.y);

function clamp(p: Point, bounds: DrawOptions['bounds']): Point {
  // Contract points are non-negative even without bounds.
  const x = Math.max(0, bounds ? Math.min(bounds.width, p.x) : p.x);
  const y = Math.max(0, bounds ? Math.min(bounds.height, p.y) : p.y);
  return x === p.x && y === p.y ? p : { x, y };
}

/** The box between two corners, with positive width and height whichever way it was dragged. */
export function boxBetween(a: Point, b: Point): { x: number; y: number; width: number; height: number } {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

function dragShape(tool: 'line' | 'calibrate' | 'rect' | 'ellipse', start: Point, end: Point): AnnotationShape {
  if (tool === 'line' || tool === 'calibrate') return { kind: 'line', from: start, to: end };
  const box = boxBetween(start, end);
  if (tool === 'rect') return { kind: 'rect', ...box };
  return { kind: 'ellipse', center: { x: box.x + box.width / 2, y: box.y + box.height / 2 }, rx: box.width / 2, ry: box.height / 2 };
}

/** A finished drag, or null when it is too small to be what the clinician meant. */
function finishDrag(tool: 'line' | 'calibrate' | 'rect' | 'ellipse', start: Point, end: Point, scale: number): AnnotationShape | null {
  if (tool === 'line' || tool === 'calibrate') {
    return distance(start, end) * scale < MIN_LINE_SCREEN_PX ? null : dragShape(tool, start, end);
  }
  const box = boxBetween(start, end);
  if (box.width <= 0 || box.height <= 0) return null;
  if (Math.max(box.width, box.height) * scale < MIN_BOX_SCREEN_PX) return null;
  return dragShape(tool, start, end);
}

function startGesture(tool: Tool, p: Point): DrawState {
  switch (tool) {
    case 'point':
      return { phase: 'pressing', tool, at: p };
    case 'line':
    case 'calibrate':
    case 'rect':
    case 'ellipse':
      return { phase: 'dragging', tool, start: p, current: p };
    case 'polygon':
      return { phase: 'polygon', tool, points: [p], hover: p };
    case 'freehand':
      return { phase: 'freehand', tool, points: [p] };
  }
}

/** Whether a click at `p` would close the polygon: enough corners, and near the first one. */
function closes(points: readonly Point[], p: Point, scale: number, opts: DrawOptions | undefined): boolean {
  const first = points[0];
  return points.length >= 3 && first !== undefined && distance(first, p) * scale <= (opts?.closeRadiusPx ?? DEFAULT_CLOSE_RADIUS_PX);
}

function finishPolygon(state: DrawState & { phase: 'polygon' }): DrawResult {
  // Too few corners: keep drawing rather than throw the clicks away.
  if (state.points.length < 3) return result(state);
  return result(idle('polygon'), { kind: 'polygon', points: [...state.points] });
}

/** One step of the machine. `opts` is read per event, as the clinician may zoom mid-gesture. */
export function drawStep(state: DrawState, event: DrawEvent, opts: DrawOptions): DrawResult {
  const scale = opts.pxPerImagePx > 0 && Number.isFinite(opts.pxPerImagePx) ? opts.pxPerImagePx : 1;

  if (event.type === 'key') {
    if (event.key === 'Escape') return state.phase === 'idle' ? ignored(state) : result(idle(state.tool));
    if (state.phase !== 'polygon') return ignored(state);
    if (event.key === 'Enter') return finishPolygon(state);
    const points = state.points.slice(0, -1);
    return result(points.length ? { ...state, points } : idle('polygon'));
  }
  if (event.type === 'doubleClick') return state.phase === 'polygon' ? finishPolygon(state) : ignored(state);

  const p = clamp(event.p, opts.bounds);
  switch (state.phase) {
    case 'idle':
      return event.type === 'pointerDown' ? result(startGesture(state.tool, p)) : ignored(state);

    case 'pressing':
      // A point lands where it was pressed; releasing completes the click.
      return event.type === 'pointerUp' ? result(idle('point'), { kind: 'point', at: state.at }) : ignored(state);

    case 'dragging':
      if (event.type === 'pointerMove') return result({ ...state, current: p });
      if (event.type === 'pointerUp') return result(idle(state.tool), finishDrag(state.tool, state.start, p, scale));
      return ignored(state);

    case 'polygon': {
      if (event.type === 'pointerMove') return result({ ...state, hover: p });
      if (event.type !== 'pointerDown') return ignored(state);
      if (closes(state.points, p, scale, opts)) return finishPolygon(state);
      const last = state.points[state.points.length - 1]!;
      // Near the previous corner (a double-click's second press) or beyond the limit: no corner.
      if (distance(last, p) * scale < MIN_VERTEX_SPACING_SCREEN_PX || state.points.length >= MAX_POLYGON_VERTICES) {
        return result({ ...state, hover: p });
      }
      return result({ ...state, points: [...state.points, p], hover: p });
    }

    case 'freehand': {
      if (event.type === 'pointerDown') return ignored(state);
      const last = state.points[state.points.length - 1]!;
      const keep = state.points.length < MAX_FREEHAND_POINTS && distance(last, p) * scale >= FREEHAND_SPACING_SCREEN_PX;
      const points = keep ? [...state.points, p] : state.points;
      if (event.type === 'pointerMove') return result(keep ? { ...state, points } : state);
      return result(idle('freehand'), points.length >= 2 ? { kind: 'freehand', points: [...points] } : null);
    }
  }
}

/** The gesture under way as something to draw, or null when there is none. */
export function previewOf(state: DrawState, opts?: DrawOptions): DrawPreview | null {
  switch (state.phase) {
    case 'idle':
      return null;
    case 'pressing':
      return { tool: 'point', shape: { kind: 'point', at: state.at }, vertices: [], closable: false };
    case 'dragging':
      return { tool: state.tool, shape: dragShape(state.tool, state.start, state.current), vertices: [], closable: false };
    case 'polygon': {
      const path = state.hover ? [...state.points, state.hover] : [...state.points];
      const closable = state.hover !== null && closes(state.points, state.hover, opts?.pxPerImagePx ?? 1, opts);
      return { tool: 'polygon', shape: { kind: 'freehand', points: path }, vertices: state.points, closable };
    }
    case 'freehand':
      return { tool: 'freehand', shape: { kind: 'freehand', points: [...state.points] }, vertices: [], closable: false };
  }
}

/** Single-letter shortcuts, clear of the viewer's own keys (R, F, C, N, digits, brackets). */
export const TOOL_KEYS: Readonly<Record<Tool, string>> = {
  point: 'P',
  line: 'L',
  rect: 'B',
  ellipse: 'E',
  polygon: 'G',
  freehand: 'D',
  calibrate: 'S',
};

/** The tool a key press picks, or null; modifiers belong to the browser and the system. */
export function toolForKey(e: { readonly key: string; readonly altKey: boolean; readonly ctrlKey: boolean; readonly metaKey: boolean }): Tool | null {
  if (e.altKey || e.ctrlKey || e.metaKey || e.key.length !== 1) return null;
  const key = e.key.toUpperCase();
  return TOOLS.find((t) => TOOL_KEYS[t] === key) ?? null;
}
