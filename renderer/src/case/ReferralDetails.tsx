import { REQUEST_REASON_LABELS, type Referral } from '../../../shared/contract';
import { formatDateTime } from '../format/dates';
import { historyRows } from './history-rows';
import './outcome-form.css';

/**
 * The GP's question, history, and what was asked of them and answered since. Text only: what
 * a referrer typed is rendered as React text nodes, never parsed as markup (no HTML sinks).
 */
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
      {(referral.infoRequests.length > 0 || referral.followUps.length > 0) && <Conversation referral={referral} />}
    </section>
  );
}

/** Requests for more information and the GP's answers, oldest first. */
function Conversation({ referral }: { referral: Referral }) {
  const items = [
    ...referral.infoRequests.map((r) => ({ at: r.at, key: `q-${r.id}`, who: `Asked by ${r.by.name}`, text: r.message, reasons: r.reasons ?? [] })),
    ...referral.followUps.map((f, i) => ({ at: f.at, key: `a-${i}`, who: `Answer from ${referral.referrer.name}`, text: f.response, reasons: [] })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <>
      <h3>Requests and answers</h3>
      <ol className="conversation">
        {items.map((item) => (
          <li key={item.key}>
            <p className="muted small">
              {item.who} · {formatDateTime(item.at)}
              {item.reasons.length > 0 && ` · ${item.reasons.map((r) => REQUEST_REASON_LABELS[r]).join(', ')}`}
            </p>
            <p className="prewrap">{item.text}</p>
          </li>
        ))}
      </ol>
    </>
  );
}
