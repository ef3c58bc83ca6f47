import type { Outcome, OutcomeFieldName } from '../../../shared/contract';
import { formatDateTime } from '../format/dates';
import { OUTCOME_STATUS_LABELS, ROLE_LABELS } from '../format/labels';
import { LettersLink } from '../letters/LettersLink';
import { AmendmentDiff } from './AmendmentDiff';
import { amendmentDiff, displayValue, FIELD_LABELS, fieldsOf, signedOffFields } from './outcome-form-model';
import './outcome-form.css';

const person = (p: { name: string; role: string }) => (
  <>
    {p.name} <span className="muted">({ROLE_LABELS[p.role] ?? p.role})</span>
  </>
);

/**
 * A submitted outcome, read-only; `unsent` while it waits in the outbox. Shows who wrote it and,
 * once signed off, who signed it, what they amended (as a difference) and their comment.
 */
export function OutcomeSummary({ outcome, unsent = false }: { outcome: Outcome; unsent?: boolean }) {
  const fields = fieldsOf(outcome);
  const signed = outcome.signedOff;
  const diff = signed?.amended ? amendmentDiff(signed.before ?? {}, fields, signedOffFields(signed)) : [];
  const shown = (Object.keys(FIELD_LABELS) as OutcomeFieldName[]).filter((f) => displayValue(f, fields[f]) !== '');

  return (
    <section className="panel outcome-summary" aria-labelledby="outcome-title" data-outcome-status={outcome.status}>
      <div className="panel-head">
        <h2 id="outcome-title">Outcome</h2>
        <span className={`outcome-status outcome-${outcome.status}`}>{OUTCOME_STATUS_LABELS[outcome.status]}</span>
        {unsent && <span className="outcome-unsent">Not yet sent</span>}
        {outcome.status === 'final' && !unsent && <LettersLink referralId={outcome.referralId} />}
      </div>
      {signed && (
        <p className="signed-off small" data-testid="signed-off">
          Signed off by {signed.by.name} {formatDateTime(signed.at)}
          {signed.amended ? ', with amendments' : ''}
        </p>
      )}
      {signed?.comment && (
        <div className="signoff-comment" role="note" aria-label="Consultant’s comment">
          <p className="small">
            <strong>Comment from {signed.by.name}</strong>
          </p>
          <p className="prewrap">{signed.comment}</p>
        </div>
      )}
      {diff.length > 0 && (
        <>
          <h3 className="small">Amendments</h3>
          <AmendmentDiff rows={diff} caption="Amendments made at sign-off" />
        </>
      )}
      <dl className="outcome-facts">
        {shown.map((f) => (
          <div key={f}>
            <dt>{FIELD_LABELS[f]}</dt>
            <dd className="prewrap">{displayValue(f, fields[f])}</dd>
          </div>
        ))}
        <div>
          <dt>Written by</dt>
          <dd>{person(outcome.author)}</dd>
        </div>
        {signed && (
          <div>
            <dt>Signed off by</dt>
            <dd>{person(signed.by)}</dd>
          </div>
        )}
        <div>
          <dt>{outcome.status === 'awaiting-signoff' ? 'Sent for sign-off' : 'Submitted'}</dt>
          <dd>{formatDateTime(outcome.submittedAt ?? outcome.updatedAt)}</dd>
        </div>
      </dl>
    </section>
  );
}
