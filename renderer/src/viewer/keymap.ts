/** What a key asks the viewer to do; the case view decides which pane it applies to. */
export type ViewerCommand =
  | 'zoom-in'
  | 'zoom-out'
  | 'fit'
  | 'actual-pixels'
  | 'pan-left'
  | 'pan-right'
  | 'pan-up'
  | 'pan-down'
  | 'rotate-cw'
  | 'rotate-ccw'
  | 'flip'
  | 'previous-image'
  | 'next-image'
  | 'compare'
  | 'leave-mode'
  | 'help';

export interface KeyLike {
  readonly key: string;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
}

const KEYS: Readonly<Record<string, ViewerCommand>> = {
  '+': 'zoom-in',
  '=': 'zoom-in',
  '-': 'zoom-out',
  _: 'zoom-out',
  '0': 'fit',
  '1': 'actual-pixels',
  ArrowLeft: 'pan-left',
  ArrowRight: 'pan-right',
  ArrowUp: 'pan-up',
  ArrowDown: 'pan-down',
  r: 'rotate-cw',
  R: 'rotate-ccw',
  f: 'flip',
  F: 'flip',
  '[': 'previous-image',
  ']': 'next-image',
  c: 'compare',
  C: 'compare',
  Escape: 'leave-mode',
  '?': 'help',
};

/** The command for a key press, or null for keys the viewer leaves alone (browser shortcuts included). */
export function commandFor(e: KeyLike): ViewerCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  return KEYS[e.key] ?? null;
}

/** The on-screen help, in the order a clinician learns them. */
export const KEY_HELP: readonly { readonly keys: string; readonly what: string }[] = [
  { keys: '+ / −', what: 'Zoom in / out' },
  { keys: '0', what: 'Fit the whole image' },
  { keys: '1', what: 'Actual pixels (1:1 on the screen)' },
  { keys: '← ↑ → ↓', what: 'Pan' },
  { keys: 'R / Shift+R', what: 'Rotate 90° clockwise / anticlockwise' },
  { keys: 'F', what: 'Flip (mirror) horizontally' },
  { keys: '[ / ]', what: 'Previous / next image' },
  { keys: 'C', what: 'Compare with earlier images of this lesion' },
  { keys: 'Esc', what: 'Leave the current mode (tool, alignment, comparison)' },
  { keys: 'P L B E G D', what: 'Annotation tools: point, line (measure), rectangle, ellipse, polygon, freehand' },
  { keys: 'S', what: 'Calibrate the scale on a ruler in the photograph' },
  { keys: 'Space', what: 'With a tool: place a point at the centre cross (two for a line, box or calibration); arrows move the image under it' },
  { keys: 'Enter / double-click', what: 'Finish a polygon' },
  { keys: '?', what: 'Show or hide this help' },
  { keys: 'O', what: 'Go to the outcome form (or the sign-off choices)' },
  { keys: 'N', what: 'Next case' },
];
