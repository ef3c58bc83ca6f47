import { useEffect, useId, useRef, useState } from 'react';
import type { Mutation, Outcome, OutcomeFields, Referral, ReturnPayload, SignOffPayload } from '../../../shared/contract';
import { useSession } from '../app/session';
import { localEffects } from '../data/store/local-effects';
import { describeError } from '../format/errors';
import { AmendmentDiff } from './AmendmentDiff';
import { OutcomeForm } from './OutcomeForm';
import { amendmentDiff, amendmentOf, clearedFields, FIELD_LABELS, fieldsOf, valuesFromFields, type FormValues } from './outcome-form-model';
import { OutcomeSummary } from './OutcomeSummary';
import './outcome-form.css';

type Step = { kind: 'choose' } | { kind: 'amend'; values?: FormValues } | { kind: 'review'; fields: OutcomeFields } | { kind: 'return' };

interface Props {
  referral: Referral;
  /** A registrar's outcome awaiting this consultant's sign-off. */
  outcome: Outcome;
  unsent: boolean;
  onDone(message: string): void;
  onSubmitted?(): void;
}

const COMMENT_MAX = 2000;

/**
 * Supervision: the consultant approves the registrar's outcome, amends and approves it (the
 * same form, then the amendments as a difference to confirm), or returns it with a comment.
 * Each is one mutation through the outbox, like every action.
 */
export function SignOffPanel({ referral, outcome, unsent, onDone, onSubmitted }: Props) {
  const { workspace, user } = useSession();
  const id = useId();
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const primaryRef = useRef<HTMLButtonElement>(null);
  const registrars = fieldsOf(outcome);
  const first = useRef(true);

  // Each step's first control takes focus: the button that opened it has gone.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (step.kind === 'return') commentRef.current?.focus();
    else primaryRef.current?.focus();
  }, [step.kind]);

  async function send(type: 'outcome.sign-off' | 'outcome.return', payload: SignOffPayload | ReturnPayload, message: string) {
    setFailure(null);
    setBusy(true);
    const mutation: Omit<Mutation, 'baseVersion'> = { id: crypto.randomUUID(), type, entityId: outcome.id, payload, clientTime: new Date().toISOString() };
    try {
      await workspace.act({ mutation, effects: localEffects(mutation, { user, now: mutation.clientTime, outcome, referral }) });
      const queued = workspace.sync.getStatus().network !== 'online' ? ' It will be sent when the service can be reached.' : '';
      onDone(`${message}${queued}`);
      onSubmitted?.();
    } catch (err) {
      setFailure(`Not stored on this workstation: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }

  const checkedComment = (required: boolean): string | null | undefined => {
    const text = comment.trim();
    const problem = required && !text ? 'Say what the registrar should change: a returned outcome needs a comment.' : text.length > COMMENT_MAX ? `Shorten the comment to ${COMMENT_MAX.toLocaleString('en-GB')} characters or fewer.` : null;
    setCommentError(problem);
    if (problem) {
      commentRef.current?.focus();
      return null;
    }
    return text || undefined;
  };

  const approve = (fields?: OutcomeFields) => {
    const text = checkedComment(false);
    if (text === null) return;
    const amend = fields ? amendmentOf(registrars, fields) : undefined;
    const payload: SignOffPayload = {
      ...(amend && Object.keys(amend).length ? { amend } : {}),
      ...(text ? { comment: text } : {}),
    };
    void send('outcome.sign-off', payload, amend && Object.keys(amend).length ? 'Amended and signed off.' : 'Signed off.');
  };

  const returnIt = () => {
    const text = checkedComment(true);
    if (!text) return;
    void send('outcome.return', { comment: text }, 'Returned to the registrar with your comment.');
  };

  if (step.kind === 'amend') {
    return (
      <OutcomeForm
        referral={referral}
        editing={null}
        unsent={false}
        onDone={onDone}
        amend={{ outcome, values: step.values, onReview: (fields) => setStep({ kind: 'review', fields }), onCancel: () => setStep({ kind: 'choose' }) }}
      />
    );
  }

  const commentField = (label: string, required: boolean) => (
    <div className={`field${commentError ? ' invalid' : ''}`}>
      <label htmlFor={`${id}-comment`}>{label}</label>
      <textarea
        id={`${id}-comment`}
        ref={commentRef}
        rows={3}
        value={comment}
        required={required}
        aria-invalid={commentError ? true : undefined}
        aria-describedby={commentError ? `${id}-comment-error` : undefined}
        onChange={(e) => {
          setComment(e.target.value);
          if (commentError) setCommentError(null);
        }}
        disabled={busy}
      />
      {commentError && (
        <p id={`${id}-comment-error`} className="field-error">
          <span aria-hidden="true">⚠ </span>
          {commentError}
        </p>
      )}
    </div>
  );

  const review = step.kind === 'review' ? step.fields : null;
  const rows = review ? amendmentDiff(registrars, review) : [];
  const cleared = review ? clearedFields(registrars, review) : [];

  return (
    <>
      {step.kind !== 'review' && <OutcomeSummary outcome={outcome} unsent={unsent} />}
      <section className="panel signoff-panel" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{review ? 'Confirm amendments' : 'Sign-off'}</h2>
        <p className="small">
          Written by <strong>{outcome.author.name}</strong> (registrar). You sign off as <strong>{user.name}</strong>.
        </p>
        {review && (
          <>
            {rows.length ? (
              <AmendmentDiff rows={rows} caption="Your amendments" />
            ) : (
              <p className="notice small" role="note">
                You changed nothing: confirming signs the outcome off as the registrar wrote it.
              </p>
            )}
            {cleared.length > 0 && (
              <p className="alert small" role="note">
                Emptied fields are kept as the registrar wrote them (a sign-off can replace a value, not remove it):{' '}
                {cleared.map((f) => FIELD_LABELS[f]).join(', ')}. Return the outcome if they must go.
              </p>
            )}
          </>
        )}
        {step.kind === 'return' ? commentField('Comment for the registrar (required)', true) : commentField('Comment for the registrar (optional)', false)}
        {failure && (
          <p className="alert" role="alert">
            {failure}
          </p>
        )}
        <div className="form-actions">
          {step.kind === 'choose' && (
            <>
              <button type="button" ref={primaryRef} className="button primary" disabled={busy} onClick={() => approve()}>
                Approve and sign off
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => setStep({ kind: 'amend' })}>
                Amend and approve…
              </button>
              <button type="button" className="button subtle" disabled={busy} onClick={() => setStep({ kind: 'return' })}>
                Return to registrar…
              </button>
            </>
          )}
          {review && (
            <>
              <button type="button" ref={primaryRef} className="button primary" disabled={busy} onClick={() => approve(review)}>
                Confirm and sign off
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => setStep({ kind: 'amend', values: valuesFromFields(review) })}>
                Back to editing
              </button>
            </>
          )}
          {step.kind === 'return' && (
            <>
              <button type="button" className="button primary" disabled={busy} onClick={returnIt}>
                Return to registrar
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => setStep({ kind: 'choose' })}>
                Cancel
              </button>
            </>
          )}
        </div>
      </section>
    </>
  );
}
