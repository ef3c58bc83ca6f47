import { useState } from 'react';
import { isClinician, type Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import { useOutcomesFor, usePendingEntityIds } from '../data/hooks';
import { editableOutcome } from './editable-outcome';
import { currentOutcome } from './outcome-select';
import { OutcomeForm, type OutcomePrefill } from './OutcomeForm';
import { OutcomeSummary } from './OutcomeSummary';
import { ReferralActions } from './ReferralActions';
import { SignOffPanel } from './SignOffPanel';

/**
 * The answer to the referral: the form (for clinicians) until it is submitted; then read-only,
 * with the sign-off controls for a consultant when a registrar's outcome awaits them.
 */
interface Props {
  referral: Referral;
  prefill?: OutcomePrefill | null;
  onPrefillApplied?(): void;
  /** After the clinician finished with the case (submit, request to the GP, sign-off, return). */
  onSubmitted?(): void;
}

export function OutcomeSection({ referral, prefill = null, onPrefillApplied, onSubmitted }: Props) {
  const { user } = useSession();
  const outcomes = useOutcomesFor(referral.id);
  const unsent = usePendingEntityIds();
  const [message, setMessage] = useState<string | null>(null);
  if (!outcomes) return null; // reading the local database: a few milliseconds
  const outcome = currentOutcome(outcomes);
  const editing = editableOutcome(outcomes, user);
  const signing = outcome?.status === 'awaiting-signoff' && user.role === 'consultant' && outcome.author.id !== user.id;

  return (
    <>
      <p className="notice-slot" role="status">
        {message && <span className="notice">{message}</span>}
      </p>
      {isClinician(user.role) && !outcome && <ReferralActions referral={referral} />}
      {outcome && signing ? (
        <SignOffPanel key={outcome.id} referral={referral} outcome={outcome} unsent={unsent.has(outcome.id)} onDone={setMessage} onSubmitted={onSubmitted} />
      ) : outcome ? (
        <OutcomeSummary outcome={outcome} unsent={unsent.has(outcome.id)} />
      ) : !isClinician(user.role) ? (
        <section className="panel" aria-labelledby="outcome-title">
          <h2 id="outcome-title">Outcome</h2>
          <p className="muted">No outcome yet. Only consultants and registrars record outcomes.</p>
        </section>
      ) : (
        <OutcomeForm
          key={referral.id}
          referral={referral}
          editing={editing}
          unsent={editing ? unsent.has(editing.id) : false}
          onDone={setMessage}
          prefill={prefill}
          onPrefillApplied={onPrefillApplied}
          onSubmitted={onSubmitted}
        />
      )}
    </>
  );
}
