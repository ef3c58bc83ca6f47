import { useState } from 'react';
import { isClinician } from '../../../shared/contract';
import { useSession } from '../app/session';
import { useOutcomesFor } from '../data/hooks';
import { currentOutcome } from './outcome-select';
import { OutcomeForm } from './OutcomeForm';
import { OutcomeSummary } from './OutcomeSummary';

/** The answer to the referral: read-only once submitted, otherwise the form (for clinicians). */
export function OutcomeSection({ referralId }: { referralId: string }) {
  const { user } = useSession();
  const outcomes = useOutcomesFor(referralId);
  const [message, setMessage] = useState<string | null>(null);
  const outcome = currentOutcome(outcomes);

  return (
    <>
      <p className="notice-slot" role="status">
        {message && <span className="notice">{message}</span>}
      </p>
      {outcome ? (
        <OutcomeSummary outcome={outcome} />
      ) : user && !isClinician(user.role) ? (
        <section className="panel" aria-labelledby="outcome-title">
          <h2 id="outcome-title">Outcome</h2>
          <p className="muted">No outcome yet. Only consultants and registrars record outcomes.</p>
        </section>
      ) : (
        <OutcomeForm referralId={referralId} onSubmitted={setMessage} />
      )}
    </>
  );
}
