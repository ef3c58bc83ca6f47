import type { Referral } from '../../../shared/contract';
import { formatDateTime } from '../format/dates';
import { historyRows } from './history-rows';

/** The GP's question and history. Text only: what a referrer typed is never parsed as markup. */
export function ReferralDetails({ referral }: { referral: Referral }) {
  const rows = historyRows(referral.history);
  return (
    <section className="panel" aria-labelledby="question-title">
      <h2 id="question-title">GP’s question</h2>
      <p className="question">{referral.question}</p>
      <p className="muted small">
        From {referral.referrer.name} ({referral.referrer.practiceCode}) · received {formatDateTime(referral.receivedAt)}
      </p>
      <h3>Clinical history</h3>
      {rows.length ? (
        <dl className="history">
          {rows.map((row) => (
            <div key={row.label} className={row.flag ? 'flag' : undefined}>
              <dt>{row.label}</dt>
              <dd>{row.value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">No structured history was sent.</p>
      )}
    </section>
  );
}
