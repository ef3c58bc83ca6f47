import { describe, expect, it } from 'vitest';
import { FetchScheduler, isAbortError, type FetchPriority } from '../../renderer/src/data/tiles/fetch-scheduler';

/** A task the test finishes by hand, recording when it started and whether it was aborted. */
interface Pending {
  readonly key: string;
  readonly signal: AbortSignal;
  resolve(value: string): void;
  reject(error: unknown): void;
}

function harness(limits?: { maxConcurrent: number; maxBackground: number }) {
  const scheduler = new FetchScheduler(limits);
  const started: Pending[] = [];
  const calls = new Map<string, number>();
  const request = (key: string, priority: FetchPriority, signal?: AbortSignal) =>
    scheduler.schedule(
      key,
      priority,
      (taskSignal) =>
        new Promise<string>((resolve, reject) => {
          calls.set(key, (calls.get(key) ?? 0) + 1);
          started.push({ key, signal: taskSignal, resolve, reject });
        }),
      signal,
    );
  const finish = async (key: string) => {
    const task = started.find((t) => t.key === key);
    if (!task) throw new Error(`${key} has not started`);
    task.resolve(`value of ${key}`);
    await flush();
  };
  return { scheduler, started, calls, request, finish, startedKeys: () => started.map((t) => t.key) };
}

/** Lets settled tasks' continuations run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('FetchScheduler', () => {
  it('runs at most maxConcurrent fetches, and at most maxBackground of them for prefetch', async () => {
    const h = harness({ maxConcurrent: 6, maxBackground: 4 });
    const fg = Array.from({ length: 10 }, (_, i) => h.request(`f${i}`, 'foreground'));
    expect(h.scheduler.stats()).toMatchObject({ running: 6, queuedForeground: 4 });
    await h.finish('f0');
    expect(h.scheduler.stats()).toMatchObject({ running: 6, queuedForeground: 3 });
    expect(h.startedKeys()).toContain('f6');
    await expect(fg[0]).resolves.toBe('value of f0');

    const bg = harness({ maxConcurrent: 6, maxBackground: 4 });
    for (let i = 0; i < 10; i++) void bg.request(`b${i}`, 'background');
    expect(bg.scheduler.stats()).toMatchObject({ running: 4, runningBackground: 4, queuedBackground: 6 });
    // The two slots background may not use are there for the viewer.
    void bg.request('f', 'foreground');
    void bg.request('g', 'foreground');
    expect(bg.scheduler.stats()).toMatchObject({ running: 6, runningBackground: 4 });
  });

  it('starts foreground requests before any queued background one', async () => {
    const h = harness({ maxConcurrent: 2, maxBackground: 2 });
    void h.request('b1', 'background');
    void h.request('b2', 'background');
    void h.request('b3', 'background');
    void h.request('f1', 'foreground');
    void h.request('f2', 'foreground');
    expect(h.startedKeys()).toEqual(['b1', 'b2']);
    await h.finish('b1');
    await h.finish('b2');
    expect(h.startedKeys()).toEqual(['b1', 'b2', 'f1', 'f2']);
    await h.finish('f1');
    expect(h.startedKeys()).toEqual(['b1', 'b2', 'f1', 'f2', 'b3']);
  });

  it('starts no background fetch while a foreground request waits, even with background slots free', async () => {
    const h = harness({ maxConcurrent: 3, maxBackground: 3 });
    void h.request('f1', 'foreground');
    void h.request('f2', 'foreground');
    void h.request('f3', 'foreground');
    void h.request('b1', 'background');
    void h.request('f4', 'foreground');
    expect(h.scheduler.stats()).toEqual({ running: 3, runningBackground: 0, queuedForeground: 1, queuedBackground: 1 });
    await h.finish('f1');
    expect(h.startedKeys()).toEqual(['f1', 'f2', 'f3', 'f4']);
    await h.finish('f2');
    expect(h.startedKeys()).toEqual(['f1', 'f2', 'f3', 'f4', 'b1']);
  });

  it('shares one fetch between requests for the same key, and a foreground request promotes it', async () => {
    const h = harness({ maxConcurrent: 1, maxBackground: 1 });
    void h.request('busy', 'foreground');
    const first = h.request('tile', 'background');
    void h.request('other', 'background');
    const second = h.request('tile', 'foreground');
    expect(h.scheduler.stats()).toMatchObject({ queuedForeground: 1, queuedBackground: 1 });
    await h.finish('busy');
    expect(h.startedKeys()).toEqual(['busy', 'tile']);
    await h.finish('tile');
    await expect(first).resolves.toBe('value of tile');
    await expect(second).resolves.toBe('value of tile');
    expect(h.calls.get('tile')).toBe(1);

    // Once settled, the key can be fetched again.
    void h.request('tile', 'foreground');
    await h.finish('other');
    expect(h.calls.get('tile')).toBe(2);
  });

  it('passes a failure to every sharer', async () => {
    const h = harness();
    const a = h.request('x', 'foreground');
    const b = h.request('x', 'background');
    h.started[0]!.reject(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    expect(h.scheduler.stats().running).toBe(0);
  });

  it('aborts: a queued request never runs, a shared one runs for the others, an abandoned one is aborted', async () => {
    const h = harness({ maxConcurrent: 1, maxBackground: 1 });
    void h.request('busy', 'foreground');

    const queuedAbort = new AbortController();
    const queued = h.request('queued', 'background', queuedAbort.signal);
    queuedAbort.abort();
    await expect(queued).rejects.toSatisfy(isAbortError);
    expect(h.scheduler.stats().queuedBackground).toBe(0);

    const sharerAbort = new AbortController();
    const sharerA = h.request('busy', 'foreground', sharerAbort.signal);
    sharerAbort.abort();
    await expect(sharerA).rejects.toSatisfy(isAbortError);
    expect(h.started[0]!.signal.aborted).toBe(false); // the first caller still waits for it

    const lone = new AbortController();
    await h.finish('busy');
    const running = h.request('lone', 'foreground', lone.signal);
    expect(h.startedKeys()).toEqual(['busy', 'lone']);
    lone.abort();
    await expect(running).rejects.toSatisfy(isAbortError);
    expect(h.started[1]!.signal.aborted).toBe(true);
    // Its slot is freed when the task settles, so the bound holds.
    expect(h.scheduler.stats().running).toBe(1);
    h.started[1]!.reject(new DOMException('aborted', 'AbortError'));
    await flush();
    expect(h.scheduler.stats().running).toBe(0);
    expect(h.calls.get('queued')).toBeUndefined();

    const already = new AbortController();
    already.abort();
    await expect(h.request('never', 'foreground', already.signal)).rejects.toSatisfy(isAbortError);
    expect(h.calls.get('never')).toBeUndefined();
  });

  it('refuses limits that make no sense', () => {
    expect(() => new FetchScheduler({ maxConcurrent: 0, maxBackground: 0 })).toThrow(RangeError);
    expect(() => new FetchScheduler({ maxConcurrent: 2, maxBackground: 3 })).toThrow(RangeError);
  });
});
