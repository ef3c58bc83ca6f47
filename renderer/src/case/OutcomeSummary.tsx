import { DECISION_LABELS, type Outcome } from '../../../shared/contract';
import { formatDateTime } from '../format/dates';
import { OUTCOME_STATUS_LABELS, ROLE_LABELS } from '../format/labels';

/** A submitted outcome, read-only; `unsent` while it waits in the outbox. */
export function OutcomeSummary({ outcome, unsent = false }: { outcome: Outcome; unsent?: boolean }) {
  return (
    <section className="panel outcome-summary" aria-labelledby="outcome-title" data-outcome-status={outcome.status}>
      <div className="panel-head">
        <h2 id="outcome-title">Outcome</h2>
        <span className={`outcome-status outcome-${outcome.status}`}>{OUTCOME_STATUS_LABELS[outcome.status]}</span>
        {unsent && <span className="outcome-unsent">Not yet sent</span>}
      </div>
      <dl className="outcome-facts">
        <div>
          <dt>Decision</dt>
          <dd>{DECISION_LABELS[outcome.decision]}</dd>
        </div>
        <div>
          <dt>Diagnosis</dt>
          <dd>
            {outcome.diagnosis.text}
            {outcome.diagnosis.code && <span className="muted"> (SNOMED CT {outcome.diagnosis.code})</span>}
          </dd>
        </div>
        <div>
          <dt>Advice to GP</dt>
          <dd className="prewrap">{outcome.adviceToGp}</dd>
        </div>
        <div>
          <dt>By</dt>
          <dd>
            {outcome.author.name} <span className="muted">({ROLE_LABELS[outcome.author.role] ?? outcome.author.role})</span>
          </dd>
        </div>
        <div>
          <dt>{outcome.status === 'awaiting-signoff' ? 'Sent for sign-off' : 'Submitted'}</dt>
          <dd>{formatDateTime(outcome.submittedAt ?? outcome.updatedAt)}</dd>
        </div>
      </dl>
    </section>
  );
}
