import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { MetricsQuery, type Metrics } from '../../../shared/contract';
import { metricsToCsv } from '../../../shared/domain/metrics-csv';
import { useSession } from '../app/session';
import { useSyncStatus } from '../data/hooks';
import { describeError } from '../format/errors';
import { BarChart } from './BarChart';
import { decisionRows, formatHours, formatShare, receivedRows, responseRows, summaryFigures, workloadRows } from './figures';
import { PRESET_LABELS, presetOf, presetPeriod, type PeriodPreset } from './period';
import './metrics.css';

// NHS identity blues and a warm contrast: distinguishable in grey and for colour-blind readers.
const BLUE = '#005eb8';
const LIGHT_BLUE = '#41b6e6';
const WARM = '#ed8b00';

type Load = { kind: 'idle' } | { kind: 'loading' } | { kind: 'loaded'; metrics: Metrics } | { kind: 'failed'; message: string };

/**
 * The service metrics dashboard: figures for a chosen period, read from the service (they
 * cover every clinician's work, which no workstation holds), so it needs a connection.
 */
export function MetricsView() {
  const { workspace } = useSession();
  const { network } = useSyncStatus();
  const online = network === 'online';
  const [period, setPeriod] = useState<MetricsQuery>(() => presetPeriod('last-30-days', new Date()));
  const [load, setLoad] = useState<Load>({ kind: 'idle' });
  const checked = MetricsQuery.safeParse(period);
  const periodError = checked.success ? null : (checked.error.issues[0]?.message ?? 'Choose a valid period');
  const chosenPreset = presetOf(period, new Date());
  const fromId = useId();
  const toId = useId();
  const errorId = useId();

  useEffect(() => {
    if (!checked.success || !online) return;
    const client = workspace.auth.client();
    if (!client) return;
    let cancelled = false;
    setLoad({ kind: 'loading' });
    client.metrics(checked.data).then(
      (metrics) => !cancelled && setLoad({ kind: 'loaded', metrics }),
      (error: unknown) => !cancelled && setLoad({ kind: 'failed', message: describeError(error) }),
    );
    return () => {
      cancelled = true;
    };
    // Re-fetch when the period changes or the connection comes back.
  }, [period.from, period.to, online, workspace]);

  const exportCsv = (metrics: Metrics) => {
    const blob = new Blob([metricsToCsv(metrics)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `loupe-metrics-${metrics.period.from}-to-${metrics.period.to}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    // After the click has handed the blob to the download.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  return (
    <div className="metrics-view">
      <div className="metrics-head">
        <h1>Service metrics</h1>
        <form className="metrics-period" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
          <div className="metrics-presets" role="group" aria-label="Preset periods">
            {(Object.keys(PRESET_LABELS) as PeriodPreset[]).map((preset) => (
              <button
                key={preset}
                type="button"
                className={`button${chosenPreset === preset ? ' selected' : ''}`}
                aria-pressed={chosenPreset === preset}
                onClick={() => setPeriod(presetPeriod(preset, new Date()))}
              >
                {PRESET_LABELS[preset]}
              </button>
            ))}
          </div>
          <label htmlFor={fromId}>From</label>
          <input
            id={fromId}
            type="date"
            value={period.from}
            required
            aria-invalid={periodError !== null}
            aria-describedby={periodError ? errorId : undefined}
            onChange={(e) => setPeriod({ ...period, from: e.target.value })}
          />
          <label htmlFor={toId}>To</label>
          <input
            id={toId}
            type="date"
            value={period.to}
            required
            aria-invalid={periodError !== null}
            aria-describedby={periodError ? errorId : undefined}
            onChange={(e) => setPeriod({ ...period, to: e.target.value })}
          />
          <span className="muted metrics-utc">whole days, UTC</span>
        </form>
        <div className="header-spacer" />
        <button
          type="button"
          className="button"
          disabled={load.kind !== 'loaded'}
          onClick={() => load.kind === 'loaded' && exportCsv(load.metrics)}
        >
          Export CSV
        </button>
      </div>
      {periodError && (
        <p id={errorId} className="field-error" role="alert">
          {periodError}
        </p>
      )}
      {!online ? (
        <p className="notice" role="status">
          You are offline. Metrics come from the referral service and need a connection; they load when it is back.
        </p>
      ) : load.kind === 'failed' ? (
        <p className="notice" role="alert">
          The metrics could not be loaded: {load.message}
        </p>
      ) : load.kind === 'loaded' ? (
        <MetricsBody metrics={load.metrics} />
      ) : (
        <p role="status" aria-busy="true">
          Loading metrics…
        </p>
      )}
    </div>
  );
}

function MetricsBody({ metrics }: { metrics: Metrics }) {
  const summary = useMemo(() => summaryFigures(metrics), [metrics]);
  const received = useMemo(() => receivedRows(metrics), [metrics]);
  const decisions = useMemo(() => decisionRows(metrics), [metrics]);
  const response = useMemo(() => responseRows(metrics), [metrics]);
  const workload = useMemo(() => workloadRows(metrics), [metrics]);
  // Stable chart inputs: the chart updates only when the figures do.
  const charts = useMemo(
    () => ({
      received: { labels: received.map((r) => r.short), series: [{ label: 'Requests', data: received.map((r) => r.count), colour: BLUE }] },
      decisions: { labels: decisions.map((r) => r.short), series: [{ label: 'Decisions', data: decisions.map((r) => r.count), colour: BLUE }] },
      response: {
        labels: response.map((r) => r.short),
        series: [
          { label: 'Median (hours)', data: response.map((r) => r.medianHours), colour: BLUE },
          { label: '95th percentile (hours)', data: response.map((r) => r.p95Hours), colour: WARM },
        ],
      },
      workload: {
        labels: workload.map((r) => r.label),
        series: [
          { label: 'Decided', data: workload.map((r) => r.decided), colour: BLUE },
          { label: 'Signed off', data: workload.map((r) => r.signedOff), colour: LIGHT_BLUE },
        ],
      },
    }),
    [received, decisions, response, workload],
  );

  return (
    <div className="metrics-body" data-period={`${metrics.period.from}/${metrics.period.to}`}>
      <dl className="metrics-summary" aria-label="Summary">
        {summary.map((f) => (
          <div key={f.label} className="metric-figure">
            <dt>{f.label}</dt>
            <dd>
              <span className="metric-value">{f.value}</span>
              <span className="metric-detail muted">{f.detail}</span>
            </dd>
          </div>
        ))}
      </dl>

      <div className="metrics-grid">
        <ChartPanel title="Requests received by pathway">
          <BarChart
            ariaLabel="Bar chart: requests received by pathway. The numbers are in the table below."
            labels={charts.received.labels}
            series={charts.received.series}
            valueTitle="Referrals"
          />
          <CountTable caption="Requests received by pathway" head={['Pathway', 'Requests']} rows={received} />
        </ChartPanel>

        <ChartPanel title="Decisions by type">
          <BarChart
            ariaLabel="Bar chart: final decisions by type. The numbers are in the table below."
            labels={charts.decisions.labels}
            series={charts.decisions.series}
            valueTitle="Decisions"
            horizontal
            tall
          />
          <CountTable caption="Decisions by type" head={['Decision', 'Count']} rows={decisions} />
        </ChartPanel>

        <ChartPanel title="Response time against target">
          <BarChart
            ariaLabel="Bar chart: median and 95th percentile response time in hours by pathway. The numbers are in the table below."
            labels={charts.response.labels}
            series={charts.response.series}
            valueTitle="Hours to decision"
            integer={false}
          />
          <table className="metrics-table">
            <caption>Response time by pathway (targets are the defaults)</caption>
            <thead>
              <tr>
                <th scope="col">Pathway</th>
                <th scope="col">Decided</th>
                <th scope="col">Median</th>
                <th scope="col">95th percentile</th>
                <th scope="col">Target</th>
                <th scope="col">Within target</th>
              </tr>
            </thead>
            <tbody>
              {response.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.label}</th>
                  <td>{r.decided}</td>
                  <td>{formatHours(r.medianHours)}</td>
                  <td>{formatHours(r.p95Hours)}</td>
                  <td>{r.target}</td>
                  <td>{formatShare(r.withinTarget)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ChartPanel>

        <ChartPanel title="Workload per reviewer">
          {workload.length === 0 ? (
            <p className="muted">No decisions in this period.</p>
          ) : (
            <BarChart
              ariaLabel="Bar chart: decisions and sign-offs per reviewer. The numbers are in the table below."
              labels={charts.workload.labels}
              series={charts.workload.series}
              valueTitle="Outcomes"
              horizontal
              stacked
            />
          )}
          <table className="metrics-table">
            <caption>Workload per reviewer</caption>
            <thead>
              <tr>
                <th scope="col">Reviewer</th>
                <th scope="col">Decided</th>
                <th scope="col">Signed off</th>
              </tr>
            </thead>
            <tbody>
              {workload.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.label}</th>
                  <td>{r.decided}</td>
                  <td>{r.signedOff}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ChartPanel>
      </div>
    </div>
  );
}

function ChartPanel({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="panel metric-panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A chart's figures as a table: one labelled count per row. */
function CountTable({ caption, head, rows }: { caption: string; head: readonly [string, string]; rows: readonly { key: string; label: string; count: number }[] }) {
  return (
    <table className="metrics-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head[0]}</th>
          <th scope="col">{head[1]}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.label}</th>
            <td>{r.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
