import { useState } from 'react';
import type { Mutation, Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import { localEffects } from '../data/store/local-effects';
import { describeError } from '../format/errors';

/**
 * Taking a referral into one's own review, or giving it back. Like every action, it is stored
 * with its local effect first and sent by the sync; the service decides if someone else
 * claimed it meanwhile (a refusal then waits in "Your changes").
 */
export function ReferralActions({ referral }: { referral: Referral }) {
  const { workspace, user } = useSession();
  const [failure, setFailure] = useState<string | null>(null);
  const mine = referral.assignedTo?.id === user.id;
  const claimable = (referral.status === 'new' || referral.status === 'in-review') && !referral.assignedTo;
  const releasable = referral.assignedTo && (mine || user.role === 'consultant') && referral.status === 'in-review';

  const act = async (type: 'referral.claim' | 'referral.release') => {
    setFailure(null);
    const mutation: Omit<Mutation, 'baseVersion'> = { id: crypto.randomUUID(), type, entityId: referral.id, payload: {}, clientTime: new Date().toISOString() };
    try {
      await workspace.act({ mutation, effects: localEffects(mutation, { user, now: mutation.clientTime, outcome: null, referral }) });
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
