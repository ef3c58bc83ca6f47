/**
 * The service metrics dashboard against the real service: what the consultant sees for a
 * period is what `GET /metrics` answers for it, each chart has its data table, and the CSV
 * export is the same figures.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { Metrics, Pathway, DECISION_LABELS, Decision } from '../../shared/contract';
import { metricsToCsv } from '../../shared/domain/metrics-csv';
import { decidedReferral } from './support/decided-referral';
import { apiSignIn, DEMO_PASSWORD } from './support/service-instance';
import { signInAt } from './support/workstation-ui';

const PATHWAY_ROWS: Readonly<Record<Pathway, string>> = {
  advice: 'Advice and guidance',
  usc: 'Urgent suspected cancer (two-week wait)',
  'waiting-list': 'Waiting-list validation',
};

async function apiMetrics(url: string, token: string, from: string, to: string): Promise<Metrics> {
  const res = await fetch(`${url}/api/v1/metrics?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return Metrics.parse(await res.json());
}

/** The big number of a summary figure, found by its term. */
function figure(page: Page, label: string) {
  return page
    .locator('dl[aria-label="Summary"] .metric-figure')
    .filter({ has: page.getByRole('term').getByText(label, { exact: true }) })
    .locator('.metric-value');
}

/** The cells of a table row found by its row header. */
function rowCells(page: Page, table: string, rowHeader: string) {
  return page.getByRole('table', { name: table }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: rowHeader, exact: true }) }).getByRole('cell');
}

test('the consultant’s metrics for a period match the service, with a chart, its table and the same figures as CSV', async ({ page }, testInfo) => {
  // Chart.js and the print styles must run under the strict CSP: a violation is logged as an error.
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  const url = testInfo.project.use.baseURL!;
  // A decision in the period, so decisions and workload have something to show.
  await decidedReferral(url, {
    question: 'Scaly patch on the forearm. Actinic keratosis?',
    outcome: { decision: 'advice', diagnosis: { text: 'Actinic keratosis', code: '201101007' }, adviceToGp: 'Treat with 5-fluorouracil cream.' },
  });
  const token = await apiSignIn(url, 'consultant');

  await signInAt(page, '', 'consultant', DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Metrics' }).click();
  await expect(page).toHaveURL(/#\/metrics$/);
  await expect(page.getByRole('heading', { name: 'Service metrics' })).toBeVisible();

  // Pick a period: the preset fills the dates, and the figures are the service's for them.
  const preset = page.getByRole('button', { name: 'Last 7 days' });
  await preset.click();
  await expect(preset).toHaveAttribute('aria-pressed', 'true');
  const from = await page.getByLabel('From').inputValue();
  const to = await page.getByLabel('To').inputValue();
  await expect(page.locator(`.metrics-body[data-period="${from}/${to}"]`)).toBeVisible();
  const metrics = await apiMetrics(url, token, from, to);
  expect(metrics.decisions.total).toBeGreaterThan(0);

  await expect(figure(page, 'Requests received')).toHaveText(String(metrics.received.total));
  await expect(figure(page, 'Decisions')).toHaveText(String(metrics.decisions.total));
  // Shares as the dashboard writes them: whole per cent, one decimal below 10%, a dash for none.
  const pct = (share: number | null) => {
    if (share === null) return '—';
    const p = share * 100;
    return `${p > 0 && p < 10 ? p.toFixed(1) : Math.round(p)}%`;
  };
  await expect(figure(page, 'Answered without a hospital appointment')).toHaveText(pct(metrics.withoutAppointment.share));
  await expect(figure(page, 'USC discharged after virtual triage')).toHaveText(pct(metrics.uscDischarge.share));
  await expect(figure(page, 'Decided within target')).toHaveText(pct(metrics.responseTime.withinTarget));
  await expect(figure(page, 'Image rejection rate')).toHaveText(pct(metrics.imageRejection.share));

  // The chart is drawn on a labelled canvas, and its numbers are in the table under it.
  const chart = page.getByRole('img', { name: /requests received by pathway/i });
  await expect(chart).toBeVisible();
  // Counts painted pixels (the tests compile without DOM types: the canvas is typed by hand).
  type Canvas2d = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
  const painted = await chart.evaluate((canvas) => {
    const c = canvas as unknown as Canvas2d;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
  expect(painted).toBeGreaterThan(100);
  for (const p of Pathway.options) {
    await expect(rowCells(page, 'Requests received by pathway', PATHWAY_ROWS[p])).toHaveText([String(metrics.received.byPathway[p] ?? 0)]);
  }
  for (const d of Decision.options) {
    await expect(rowCells(page, 'Decisions by type', DECISION_LABELS[d])).toHaveText([String(metrics.decisions.byDecision[d] ?? 0)]);
  }
  for (const w of metrics.workload) {
    await expect(rowCells(page, 'Workload per reviewer', w.reviewer.name)).toHaveText([String(w.decided), String(w.signedOff)]);
  }
  await expect(page.getByRole('img', { name: /decisions by type/i })).toBeVisible();
  await expect(page.getByRole('img', { name: /response time/i })).toBeVisible();

  // Export: the downloaded file is the service's figures for the period, as CSV.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`loupe-metrics-${from}-to-${to}.csv`);
  const csv = await readFile((await download.path())!, 'utf8');
  expect(csv).toBe(metricsToCsv(metrics));
  expect(csv.split('\r\n')).toContain(`received,total,${metrics.received.total}`);

  // A period of one's own: today only.
  await page.getByLabel('From').fill(to);
  await expect(preset).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator(`.metrics-body[data-period="${to}/${to}"]`)).toBeVisible();
  const today = await apiMetrics(url, token, to, to);
  await expect(figure(page, 'Requests received')).toHaveText(String(today.received.total));
  await expect(figure(page, 'Decisions')).toHaveText(String(today.decisions.total));

  // A reversed period is explained, not sent.
  const dayBefore = new Date(Date.parse(to) - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('To').fill(dayBefore);
  await expect(page.getByRole('alert')).toContainText('`from` must not be after `to`');

  // Offline it says so plainly.
  await page.getByLabel('To').fill(to);
  await page.context().setOffline(true);
  await expect(page.getByText('You are offline. Metrics come from the referral service')).toBeVisible();
  await page.context().setOffline(false);
  expect(cspViolations).toEqual([]);
});
