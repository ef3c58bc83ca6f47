import { useState } from 'react';
import { isClinician, type Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import { useOutcomesFor, usePendingEntityIds } from '../data/hooks';
import { editableOutcome } from './editable-outcome';
import { currentOutcome } from './outcome-select';
import { OutcomeForm, type OutcomePrefill } from './OutcomeForm';
import { OutcomeSummary } from './OutcomeSummary';
import { ReferralActions } from './ReferralActions';

/** The answer to the referral: read-only once submitted, otherwise the form (for clinicians). */
interface Props {
  referral: Referral;
  prefill?: OutcomePrefill | null;
  onPrefillApplied?(): void;
}

export function OutcomeSection({ referral, prefill = null, onPrefillApplied }: Props) {
  const { user } = useSession();
  const outcomes = useOutcomesFor(referral.id);
  const unsent = usePendingEntityIds();
  const [message, setMessage] = useState<string | null>(null);
  if (!outcomes) return null; // reading the local database: a few milliseconds
  const outcome = currentOutcome(outcomes);
  const editing = editableOutcome(outcomes, user);

  return (
    <>
      <p className="notice-slot" role="status">
        {message && <span className="notice">{message}</span>}
      </p>
      {isClinician(user.role) && !outcome && <ReferralActions referral={referral} />}
      {outcome ? (
        <OutcomeSummary outcome={outcome} unsent={unsent.has(outcome.id)} />
      ) : !isClinician(user.role) ? (
        <section className="panel" aria-labelledby="outcome-title">
          <h2 id="outcome-title">Outcome</h2>
          <p className="muted">No outcome yet. Only consultants and registrars record outcomes.</p>
        </section>
      ) : (
        <OutcomeForm
          key={editing?.id ?? 'new'}
          referral={referral}
          editing={editing}
          unsent={editing ? unsent.has(editing.id) : false}
          onDone={setMessage}
          prefill={prefill}
          onPrefillApplied={onPrefillApplied}
        />
      )}
    </>
  );
}
