/**
 * The page `bench worklist` drives (built with Vite from the renderer's own modules, served on
 * loopback, opened in Debian's Chromium). It seeds an encrypted local store with synthetic
 * referrals through the real store code (`applyPage`: sealed with AES-GCM, written page by
 * page), then measures, all in the page:
 *   - the index build after unlock (fresh connection, empty codec memo);
 *   - the index catching up after a pull, against decrypting every referral again (what the
 *     worklist's live query did on every change before the index);
 *   - for each of a list of varied views: a plain array filter + sort over the same summaries
 *     (the baseline), and the real Worklist component from a hash change to the next painted
 *     frame (filter + sort + first render), plus the index query alone.
 * Results go to `window.__bench`.
 */
import { createRoot } from 'react-dom/client';
import type { UserRef } from '../../shared/contract';
import type { Session } from '../../renderer/src/app/session';
import { SessionContext } from '../../renderer/src/app/session';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { RecordDb } from '../../renderer/src/data/db/record-db';
import { applyPage } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { Queries } from '../../renderer/src/data/store/queries';
import { worklistIndexFor } from '../../renderer/src/data/worklist-index';
import { Worklist } from '../../renderer/src/worklist/Worklist';
import { DEFAULT_VIEW, latestOutcome, NO_FILTERS, queryRows, summariseOutcome, summariseReferral, type WorklistFilters, type WorklistView } from '../../renderer/src/worklist/worklist-model';
import { viewQuery } from '../../renderer/src/worklist/worklist-view';
import type { Change, ChangesPage, Outcome, Referral } from '../../shared/contract';
import '../../renderer/src/styles.css';
import { synthesise } from './synthetic';
import type { PageResult, ViewSample } from './result';

const ME: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr Bench Consultant', role: 'consultant' };
const COLLEAGUES: UserRef[] = [
  { id: '0192f0a0-0000-7000-8000-0000000000c2', name: 'Dr Bench Registrar', role: 'registrar' },
  { id: '0192f0a0-0000-7000-8000-0000000000c3', name: 'Dr Other Consultant', role: 'consultant' },
];
const PAGE = 1000;

const bench: { phase: string; error: string | null; result: PageResult | null } = { phase: 'starting', error: null, result: null };
(window as unknown as { __bench: typeof bench }).__bench = bench;

const f = (patch: Partial<WorklistFilters>): WorklistFilters => ({ ...NO_FILTERS, ...patch });

function views(sampleNhs: string, practice: string): WorklistView[] {
  const v = (patch: Partial<WorklistView>): WorklistView => ({ ...DEFAULT_VIEW, ...patch });
  return [
    v({ queue: 'mine' }),
    v({ queue: 'unassigned' }),
    v({ queue: 'signoff' }),
    v({ queue: 'waiting' }),
    v({ queue: 'done-today' }),
    v({ filters: f({ pathway: 'usc' }) }),
    v({ filters: f({ pathway: 'advice', due: 'overdue' }) }),
    v({ queue: 'unassigned', filters: f({ due: 'due-soon' }), sort: 'priority' }),
    v({ filters: f({ priority: 'P2' }), sort: 'received' }),
    v({ filters: f({ priority: 'none' }), sort: 'name' }),
    v({ filters: f({ status: 'in-review' }), sort: 'pathway' }),
    v({ filters: f({ practice }) }),
    v({ filters: f({ age: { mode: 'within', days: 2 } }) }),
    v({ filters: f({ age: { mode: 'older', days: 28 } }), sort: 'received', dir: 'desc' }),
    v({ filters: f({ search: 'smith' }) }),
    v({ filters: f({ search: 'patel ada' }) }),
    v({ filters: f({ search: '999 001' }) }),
    v({ filters: f({ search: `${sampleNhs.slice(0, 3)} ${sampleNhs.slice(3, 6)} ${sampleNhs.slice(6)}` }) }),
    v({ queue: 'mine', sort: 'name', dir: 'desc' }),
    v({ queue: 'unassigned', filters: f({ pathway: 'waiting-list' }), sort: 'priority' }),
    v({ sort: 'name' }),
    v({ sort: 'priority', dir: 'desc' }),
    v({ filters: f({ pathway: 'usc', due: 'on-track' }), sort: 'received' }),
    v({ sort: 'due', dir: 'desc' }),
  ];
}

let seq = 0;
function page(referrals: readonly Referral[], outcomes: readonly Outcome[]): ChangesPage {
  const changes: Change[] = [
    ...referrals.map((r): Change => ({ seq: ++seq, type: 'referral', id: r.id, version: r.version, data: r })),
    ...outcomes.map((o): Change => ({ seq: ++seq, type: 'outcome', id: o.id, version: o.version, data: o })),
  ];
  return { changes, cursor: String(seq), hasMore: false };
}

const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting in the page');
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const count = Number(params.get('n') ?? 50_000);
  const rounds = Number(params.get('rounds') ?? 2);
  const nowMs = Date.now();
  const key = await generateDataKey();
  const name = `bench-worklist-${nowMs}`;

  bench.phase = 'seeding';
  const data = synthesise(count, ME, COLLEAGUES, nowMs);
  let db = new RecordDb(name);
  let codec = new EntityCodec(key);
  const seedStart = performance.now();
  for (let i = 0; i < data.referrals.length; i += PAGE) await applyPage(db, codec, page(data.referrals.slice(i, i + PAGE), []));
  for (let i = 0; i < data.outcomes.length; i += PAGE) await applyPage(db, codec, page([], data.outcomes.slice(i, i + PAGE)));
  const seedMs = performance.now() - seedStart;

  // As after unlock: a new connection, nothing decrypted yet.
  db.close();
  db = new RecordDb(name);
  await db.open();
  codec = new EntityCodec(key);
  // The few parts of a workspace the worklist reads; no service, no sync.
  const SYNC = { ready: true, lastError: null };
  const workspace = { db, codec, user: ME, dataKey: key, queries: new Queries(db, codec), sync: { subscribe: () => () => undefined, getStatus: () => SYNC } };
  bench.phase = 'building the index';
  const index = worklistIndexFor(workspace as unknown as Session['workspace']);
  await index.catchUp();
  const buildMs = index.getStats().buildMs!;

  // What the worklist's live query did on every change before the index: decrypt every
  // referral (cold: a fresh memo, as at 50,000 rows the old 20,000-entry memo always was).
  bench.phase = 'decrypting everything (old path)';
  const fullStart = performance.now();
  const all = await new Queries(db, new EntityCodec(key)).referrals();
  const fullDecryptMs = performance.now() - fullStart;

  // A pull of 100 changed referrals and 20 new outcomes: the index catches up from the stamps.
  const changedRefs = data.referrals.slice(0, 100).map((r) => ({ ...r, version: r.version + 1, status: 'in-review' as const, assignedTo: ME }));
  const newOutcomes = data.outcomes.slice(0, 20).map((o) => ({ ...o, id: crypto.randomUUID(), updatedAt: new Date().toISOString() }));
  await applyPage(db, codec, page(changedRefs, newOutcomes));
  const catchUpStart = performance.now();
  await index.catchUp();
  const catchUpMs = performance.now() - catchUpStart;
  const decryptedOnCatchUp = index.getStats().decryptedSinceBuild;

  // The baseline's data: the same referrals and outcomes, decrypted, summarised once.
  const outcomeRows = await Promise.all((await db.outcomes.toArray()).map((r) => codec.visible('outcomes', r, false)));
  const byReferral = new Map<string, ReturnType<typeof summariseOutcome>[]>();
  for (const o of outcomeRows) if (o) byReferral.set(o.referralId, [...(byReferral.get(o.referralId) ?? []), summariseOutcome(o)]);
  const current = await new Queries(db, codec).referrals();
  const summaries = current.map((r) => summariseReferral(r, latestOutcome(byReferral.get(r.id) ?? [])));
  if (all.length !== count) throw new Error(`decrypted ${all.length} referrals, seeded ${count}`);

  // First render of the real component over the built index.
  bench.phase = 'first render';
  history.replaceState(null, '', '#/');
  const root = createRoot(document.getElementById('root')!);
  const mountStart = performance.now();
  root.render(
    <SessionContext.Provider value={{ user: ME, workspace } as unknown as Session}>
      <main className="main" style={{ height: '100vh' }}>
        <Worklist onOpen={() => undefined} />
      </main>
    </SessionContext.Provider>,
  );
  const table = () => document.querySelector<HTMLTableElement>('table.worklist-table');
  await waitFor(() => table()?.dataset.ready === 'true' && table()?.dataset.view === '');
  await nextPaint();
  const mountMs = performance.now() - mountStart;
  const renderedRows = document.querySelectorAll('tr[data-referral-id]').length;

  bench.phase = 'views';
  const sample = current.find((r) => r.status === 'new')!;
  const list = views(sample.patient.nhsNumber, sample.referrer.practiceCode);
  const samples: ViewSample[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round > 0) {
      // Between rounds a pull changes 10 referrals: caches are invalidated as in real use.
      const before = index.getVersion();
      await applyPage(db, codec, page(data.referrals.slice(200 + round * 10, 210 + round * 10).map((r) => ({ ...r, version: r.version + 5 })), []));
      await waitFor(() => index.getVersion() !== before);
    }
    for (const view of list) {
      const baselineStart = performance.now();
      const expected = queryRows(summaries, view, index.me, nowMs);
      const baselineMs = performance.now() - baselineStart;

      const uiStart = performance.now();
      // With the search in it: the app reads a typed `q` but never writes one (viewHash).
      location.hash = `#/?${viewQuery(view)}`;
      await waitFor(() => table()?.dataset.view === viewQuery(view));
      const commitMs = performance.now() - uiStart;
      await nextPaint();
      const uiMs = performance.now() - uiStart;

      const indexStart = performance.now();
      const got = index.query(view, nowMs).rows;
      const indexMs = performance.now() - indexStart;
      if (got.length !== expected.length || got.some((r, i) => r.id !== expected[i]!.id)) {
        throw new Error(`index and baseline disagree for ${viewQuery(view)}: ${got.length} vs ${expected.length} rows`);
      }
      // The table queried at its own "now" (it ticks every 30 s): compare at that time.
      const shownNow = Number(table()!.dataset.now);
      const atShown = index.query(view, shownNow).rows.length;
      if (Number(table()!.dataset.rows) !== atShown) throw new Error(`the table shows ${table()!.dataset.rows} rows, the index ${atShown}`);
      samples.push({ view: viewQuery(view), rows: got.length, baselineMs, uiMs, commitMs, indexMs });
    }
  }
  const domRows = document.querySelectorAll('tr[data-referral-id]').length;
  root.unmount();
  db.close();
  bench.result = {
    referrals: count,
    outcomes: data.outcomes.length,
    seedMs,
    buildMs,
    fullDecryptMs,
    catchUp: { referralsChanged: changedRefs.length, outcomesAdded: newOutcomes.length, ms: catchUpMs, decrypted: decryptedOnCatchUp },
    firstMount: { ms: mountMs, rowsInDom: renderedRows },
    domRowsAtEnd: domRows,
    samples,
  };
  bench.phase = 'done';
}

main().catch((err: unknown) => {
  bench.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  bench.phase = 'failed';
});
