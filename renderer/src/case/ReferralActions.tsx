import { useState } from 'react';
import type { Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import { describeError } from '../format/errors';
import { canRelease, canTake, claimFacts, storeClaim, type ClaimType } from '../worklist/claim';

/**
 * Taking a referral into one's own review, or giving it back. Like every action, it is stored
 * with its local effect first and sent by the sync; the service decides if someone else
 * claimed it meanwhile (a refusal then waits in "Your changes").
 */
export function ReferralActions({ referral }: { referral: Referral }) {
  const { workspace, user } = useSession();
  const [failure, setFailure] = useState<string | null>(null);
  const mine = referral.assignedTo?.id === user.id;
  const claimable = canTake(claimFacts(referral));
  const releasable = canRelease(claimFacts(referral), user);

  const act = async (type: ClaimType) => {
    setFailure(null);
    try {
      await storeClaim(workspace, user, referral, type);
    } catch (err) {
      setFailure(`Not stored: ${describeError(err)}`);
    }
  };

  return (
    <div className="referral-actions" role="group" aria-label="Review">
      <p className="muted small">
        {referral.assignedTo ? `In review by ${mine ? 'you' : referral.assignedTo.name}` : 'Not yet taken by anyone'}
      </p>
      {claimable && (
        <button type="button" className="button" onClick={() => void act('referral.claim')}>
          Take this referral
        </button>
      )}
      {releasable && (
        <button type="button" className="button subtle" onClick={() => void act('referral.release')}>
          Release
        </button>
      )}
      {failure && (
        <p className="alert small" role="alert">
          {failure}
        </p>
      )}
    </div>
  );
}
