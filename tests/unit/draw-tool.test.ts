import { describe, expect, it } from 'vitest';
import { AnnotationShape, type Point } from '../../shared/contract';
import {
  DEFAULT_CLOSE_RADIUS_PX,
  drawStep,
  idle,
  isDrawing,
  MAX_FREEHAND_POINTS,
  MAX_POLYGON_VERTICES,
  previewOf,
  toolForKey,
  TOOL_KEYS,
  TOOLS,
  type DrawEvent,
  type DrawOptions,
  type DrawResult,
  type DrawState,
  type Tool,
} from '../../renderer/src/annotate/draw-tool';

/*
 * The drawing state machine: gestures in image pixels, thresholds felt in screen pixels
 * (`pxPerImagePx`), and only shapes the contract accepts come out.
 */

const at = (x: number, y: number): Point => ({ x, y });
const down = (x: number, y: number): DrawEvent => ({ type: 'pointerDown', p: at(x, y) });
const move = (x: number, y: number): DrawEvent => ({ type: 'pointerMove', p: at(x, y) });
const up = (x: number, y: number): DrawEvent => ({ type: 'pointerUp', p: at(x, y) });
const key = (k: 'Enter' | 'Escape' | 'Backspace'): DrawEvent => ({ type: 'key', key: k });
const DOUBLE: DrawEvent = { type: 'doubleClick' };

const ONE: DrawOptions = { pxPerImagePx: 1 };

/** Runs events from idle; returns the last result and every finished shape on the way. */
function run(tool: Tool, events: readonly DrawEvent[], opts: DrawOptions = ONE): { last: DrawResult; done: AnnotationShape[]; state: DrawState } {
  let state = idle(tool);
  let last: DrawResult = { state, done: null, handled: false };
  const done: AnnotationShape[] = [];
  for (const e of events) {
    last = drawStep(state, e, opts);
    state = last.state;
    if (last.done) done.push(last.done);
  }
  return { last, done, state };
}

/** Every finished shape must pass the contract, as the panel parses it before saving. */
function expectValid(shapes: readonly AnnotationShape[]): void {
  for (const s of shapes) expect(AnnotationShape.safeParse(s).success, JSON.stringify(s)).toBe(true);
}

describe('point', () => {
  it('is a click: placed where pressed, completed on release', () => {
    const { done, state } = run('point', [down(10, 20), move(12, 22), up(12, 22)]);
    expect(done).toEqual([{ kind: 'point', at: at(10, 20) }]);
    expect(state).toEqual(idle('point'));
    expectValid(done);
  });

  it('shows a preview while pressed and can be cancelled with Escape', () => {
    const pressed = run('point', [down(5, 5)]);
    expect(previewOf(pressed.state)?.shape).toEqual({ kind: 'point', at: at(5, 5) });
    const cancelled = run('point', [down(5, 5), key('Escape'), up(5, 5)]);
    expect(cancelled.done).toEqual([]);
    expect(cancelled.state).toEqual(idle('point'));
  });
});

describe('line and calibrate', () => {
  it.each(['line', 'calibrate'] as const)('%s: press, drag, release makes a line', (tool) => {
    const { done, state } = run(tool, [down(10, 10), move(50, 40), move(110, 10), up(110, 10)]);
    expect(done).toEqual([{ kind: 'line', from: at(10, 10), to: at(110, 10) }]);
    expect(state).toEqual(idle(tool));
    expectValid(done);
  });

  it('previews the line from the press to the pointer', () => {
    const { state } = run('line', [down(10, 10), move(30, 40)]);
    expect(isDrawing(state)).toBe(true);
    expect(previewOf(state)).toEqual({ tool: 'line', shape: { kind: 'line', from: at(10, 10), to: at(30, 40) }, vertices: [], closable: false });
  });

  it('ignores a line shorter than 3 screen pixels, measured at the current zoom', () => {
    // 2 image px at 1 screen px per image px: a slipped click.
    expect(run('line', [down(10, 10), up(12, 10)]).done).toEqual([]);
    expect(run('calibrate', [down(10, 10), up(10, 10)]).done).toEqual([]);
    // The same 2 image px zoomed in 4× are 8 screen px: deliberate.
    expect(run('line', [down(10, 10), up(12, 10)], { pxPerImagePx: 4 }).done).toEqual([{ kind: 'line', from: at(10, 10), to: at(12, 10) }]);
    // 20 image px zoomed out to 0.1 are 2 screen px: too short.
    expect(run('line', [down(10, 10), up(30, 10)], { pxPerImagePx: 0.1 }).done).toEqual([]);
    expect(run('line', [down(10, 10), up(40, 10)], { pxPerImagePx: 0.1 }).done).toHaveLength(1);
  });

  it('uses the release point, not only the last move', () => {
    expect(run('line', [down(0, 0), move(5, 5), up(100, 0)]).done).toEqual([{ kind: 'line', from: at(0, 0), to: at(100, 0) }]);
  });
});

describe('rect', () => {
  it('goes from corner to corner, with positive width and height whichever way it is dragged', () => {
    const expected = [{ kind: 'rect', x: 10, y: 20, width: 90, height: 30 }];
    expect(run('rect', [down(10, 20), up(100, 50)]).done).toEqual(expected);
    expect(run('rect', [down(100, 50), up(10, 20)]).done).toEqual(expected);
    expect(run('rect', [down(100, 20), up(10, 50)]).done).toEqual(expected);
    expect(run('rect', [down(10, 50), move(60, 0), up(100, 20)]).done).toEqual(expected);
    expectValid(run('rect', [down(100, 50), up(10, 20)]).done);
  });

  it('previews the normalised box while dragging backwards', () => {
    expect(previewOf(run('rect', [down(50, 50), move(20, 30)]).state)?.shape).toEqual({ kind: 'rect', x: 20, y: 30, width: 30, height: 20 });
  });

  it('rejects a box with no width or no height, and a click that barely moved', () => {
    expect(run('rect', [down(10, 10), up(80, 10)]).done).toEqual([]);
    expect(run('rect', [down(10, 10), up(10, 80)]).done).toEqual([]);
    expect(run('rect', [down(10, 10), up(11, 11)]).done).toEqual([]);
    expect(run('rect', [down(10, 10), up(10, 10)]).state).toEqual(idle('rect'));
  });
});

describe('ellipse', () => {
  it('is inscribed in the dragged box: centre and radii', () => {
    const { done } = run('ellipse', [down(100, 80), move(0, 0), up(20, 40)]);
    expect(done).toEqual([{ kind: 'ellipse', center: at(60, 60), rx: 40, ry: 20 }]);
    expectValid(done);
  });

  it('rejects a flat or zero-size ellipse', () => {
    expect(run('ellipse', [down(10, 10), up(90, 10)]).done).toEqual([]);
    expect(run('ellipse', [down(10, 10), up(10, 10)]).done).toEqual([]);
  });
});

describe('polygon', () => {
  const square = [down(0, 0), up(0, 0), down(100, 0), up(100, 0), down(100, 100), up(100, 100), down(0, 100), up(0, 100)];
  const SQUARE = { kind: 'polygon', points: [at(0, 0), at(100, 0), at(100, 100), at(0, 100)] };

  it('adds a vertex per click and finishes with Enter', () => {
    const drawing = run('polygon', square);
    expect(drawing.done).toEqual([]);
    expect(isDrawing(drawing.state)).toBe(true);
    const finished = drawStep(drawing.state, key('Enter'), ONE);
    expect(finished).toMatchObject({ done: SQUARE, handled: true, state: idle('polygon') });
    expectValid([finished.done!]);
  });

  it('finishes with a double-click, whose second press adds no vertex', () => {
    // The browser sends down, up, down, up, dblclick for a double-click at one place.
    const { done } = run('polygon', [...square.slice(0, 6), down(0, 100), up(0, 100), down(0, 100), up(0, 100), DOUBLE]);
    expect(done).toEqual([SQUARE]);
    // …even when the hand moved a pixel between the two presses.
    expect(run('polygon', [...square.slice(0, 6), down(0, 100), up(0, 100), down(1, 101), up(1, 101), DOUBLE]).done).toEqual([SQUARE]);
  });

  it('finishes with a click near the first vertex, within the close radius in screen pixels', () => {
    expect(run('polygon', [...square, down(5, 4)]).done).toEqual([SQUARE]);
    // At 0.5 screen px per image px, 12 image px are 6 screen px: inside the default 8.
    expect(run('polygon', [...square, down(12, 0)], { pxPerImagePx: 0.5 }).done).toEqual([SQUARE]);
    // At 2 screen px per image px the same click is 24 screen px away: a new vertex.
    const zoomed = run('polygon', [...square, down(12, 0)], { pxPerImagePx: 2 });
    expect(zoomed.done).toEqual([]);
    expect(zoomed.state).toMatchObject({ phase: 'polygon', points: [...SQUARE.points, at(12, 0)] });
    // A custom radius.
    expect(run('polygon', [...square, down(20, 0)], { pxPerImagePx: 1, closeRadiusPx: 25 }).done).toEqual([SQUARE]);
  });

  it('says in the preview when a click would close it', () => {
    const drawing = run('polygon', [...square, move(3, 3)]).state;
    expect(previewOf(drawing, ONE)).toMatchObject({ tool: 'polygon', closable: true, vertices: SQUARE.points });
    expect(previewOf(drawStep(drawing, move(50, 50), ONE).state, ONE)).toMatchObject({
      closable: false,
      shape: { kind: 'freehand', points: [...SQUARE.points, at(50, 50)] },
    });
    expect(DEFAULT_CLOSE_RADIUS_PX).toBeGreaterThan(0);
  });

  it('needs three vertices: Enter, a double-click or a click on the start earlier keep drawing', () => {
    const two = run('polygon', [down(0, 0), up(0, 0), down(100, 0), up(100, 0)]);
    for (const e of [key('Enter'), DOUBLE]) {
      const r = drawStep(two.state, e, ONE);
      expect(r.done).toBeNull();
      expect(r.state).toMatchObject({ phase: 'polygon', points: [at(0, 0), at(100, 0)] });
    }
    // A click back near the first vertex with two corners cannot close it: it is a corner.
    const back = drawStep(two.state, down(1, 1), ONE);
    expect(back.done).toBeNull();
    expect(back.state).toMatchObject({ points: [at(0, 0), at(100, 0), at(1, 1)] });
  });

  it('Backspace removes the last vertex, and the last one leaves drawing', () => {
    const three = run('polygon', square.slice(0, 6)).state;
    const two = drawStep(three, key('Backspace'), ONE);
    expect(two).toMatchObject({ handled: true, state: { points: [at(0, 0), at(100, 0)] } });
    const none = drawStep(drawStep(two.state, key('Backspace'), ONE).state, key('Backspace'), ONE);
    expect(none.state).toEqual(idle('polygon'));
  });

  it('Escape cancels the polygon', () => {
    const r = drawStep(run('polygon', square).state, key('Escape'), ONE);
    expect(r).toEqual({ state: idle('polygon'), done: null, handled: true });
  });

  it('stops adding vertices at the contract’s limit', () => {
    const events: DrawEvent[] = [];
    for (let i = 0; i < MAX_POLYGON_VERTICES + 20; i++) events.push(down(i * 10, (i % 2) * 10));
    const { state } = run('polygon', events);
    expect(state).toMatchObject({ phase: 'polygon' });
    const r = drawStep(state, key('Enter'), ONE);
    expect(r.done).toMatchObject({ kind: 'polygon' });
    expect((r.done as { points: Point[] }).points).toHaveLength(MAX_POLYGON_VERTICES);
    expectValid([r.done!]);
  });
});

describe('freehand', () => {
  it('samples the drag, dropping points closer than 2 screen pixels to the previous one', () => {
    const { done } = run('freehand', [down(0, 0), move(1, 0), move(2, 0), move(2.5, 0), move(5, 0), move(5, 1), up(5, 4)]);
    expect(done).toEqual([{ kind: 'freehand', points: [at(0, 0), at(2, 0), at(5, 0), at(5, 4)] }]);
    expectValid(done);
  });

  it('spaces samples in screen pixels: zoomed in, small image steps count', () => {
    const { done } = run('freehand', [down(0, 0), move(0.5, 0), move(1, 0), up(1.5, 0)], { pxPerImagePx: 4 });
    expect(done).toEqual([{ kind: 'freehand', points: [at(0, 0), at(0.5, 0), at(1, 0), at(1.5, 0)] }]);
  });

  it('caps the samples at 5000', () => {
    const events: DrawEvent[] = [down(0, 0)];
    for (let i = 1; i <= MAX_FREEHAND_POINTS + 500; i++) events.push(move(i * 3, 0));
    events.push(up(1e6, 0));
    const { done } = run('freehand', events);
    expect((done[0] as { points: Point[] }).points).toHaveLength(MAX_FREEHAND_POINTS);
    expectValid(done);
  });

  it('a click without a drag draws nothing', () => {
    expect(run('freehand', [down(3, 3), up(3, 3)])).toMatchObject({ done: [], state: idle('freehand') });
  });

  it('previews the path so far and can be cancelled', () => {
    const { state } = run('freehand', [down(0, 0), move(10, 0)]);
    expect(previewOf(state)?.shape).toEqual({ kind: 'freehand', points: [at(0, 0), at(10, 0)] });
    expect(drawStep(state, key('Escape'), ONE).state).toEqual(idle('freehand'));
  });
});

describe('in general', () => {
  it('keeps points inside the image, as the service refuses shapes outside it', () => {
    const bounds = { width: 400, height: 300 };
    expect(run('line', [down(-20, 50), up(500, 320)], { pxPerImagePx: 1, bounds }).done).toEqual([{ kind: 'line', from: at(0, 50), to: at(400, 300) }]);
    expect(run('rect', [down(380, -5), up(450, 40)], { pxPerImagePx: 1, bounds }).done).toEqual([{ kind: 'rect', x: 380, y: 0, width: 20, height: 40 }]);
    // Without bounds, still never negative (the contract's points are not).
    expect(run('point', [down(-3, -4), up(-3, -4)]).done).toEqual([{ kind: 'point', at: at(0, 0) }]);
  });

  it('treats a nonsensical scale as 1 rather than accepting or refusing everything', () => {
    for (const pxPerImagePx of [0, -2, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(run('line', [down(0, 0), up(2, 0)], { pxPerImagePx }).done).toEqual([]);
      expect(run('line', [down(0, 0), up(4, 0)], { pxPerImagePx }).done).toHaveLength(1);
    }
  });

  it('passes on what it does not use: keys while idle, stray moves and releases, a second press', () => {
    for (const tool of TOOLS) {
      for (const e of [key('Escape'), key('Enter'), key('Backspace'), move(1, 1), up(1, 1), DOUBLE]) {
        expect(drawStep(idle(tool), e, ONE)).toEqual({ state: idle(tool), done: null, handled: false });
      }
      expect(previewOf(idle(tool))).toBeNull();
    }
    const dragging = run('line', [down(0, 0), move(10, 10)]).state;
    expect(drawStep(dragging, down(50, 50), ONE)).toMatchObject({ handled: false, state: dragging });
    expect(drawStep(dragging, key('Enter'), ONE).handled).toBe(false);
  });

  it('finishes exactly once per gesture', () => {
    for (const tool of ['point', 'line', 'rect', 'ellipse', 'freehand', 'calibrate'] as const) {
      const { done } = run(tool, [down(10, 10), move(60, 50), up(60, 50), up(60, 50), move(70, 70), up(80, 80)]);
      expect(done, tool).toHaveLength(1);
      expectValid(done);
    }
  });
});

describe('tool keys', () => {
  it('has one distinct key per tool, clear of the viewer’s own keys', () => {
    const keys = TOOLS.map((t) => TOOL_KEYS[t]);
    expect(new Set(keys).size).toBe(TOOLS.length);
    for (const taken of ['R', 'F', 'C', 'N', '0', '1', '[', ']', '?']) expect(keys).not.toContain(taken);
  });

  it('maps a plain key either case to its tool; modifiers and other keys to nothing', () => {
    const plain = { altKey: false, ctrlKey: false, metaKey: false };
    for (const t of TOOLS) {
      expect(toolForKey({ ...plain, key: TOOL_KEYS[t] })).toBe(t);
      expect(toolForKey({ ...plain, key: TOOL_KEYS[t].toLowerCase() })).toBe(t);
    }
    expect(toolForKey({ ...plain, key: 'x' })).toBeNull();
    expect(toolForKey({ ...plain, key: 'Enter' })).toBeNull();
    expect(toolForKey({ ...plain, ctrlKey: true, key: 'p' })).toBeNull();
    expect(toolForKey({ ...plain, metaKey: true, key: 'l' })).toBeNull();
    expect(toolForKey({ ...plain, altKey: true, key: 'e' })).toBeNull();
  });
});
