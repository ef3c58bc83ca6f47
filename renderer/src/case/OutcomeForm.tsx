import { useId, useRef, useState, type FormEvent } from 'react';
import { DECISION_LABELS, Decision, type Mutation, type OutcomePayload } from '../../../shared/contract';
import { useSession } from '../app/session';
import { describeError, isUnauthorized } from '../format/errors';
import { EMPTY_DRAFT, validateOutcome, type OutcomeDraft, type OutcomeErrors, type OutcomeFieldName } from './outcome-validation';

interface Props {
  referralId: string;
  /** Called once the service has applied the outcome and the store has been refreshed. */
  onSubmitted(message: string): void;
}

/** Ids of one submission, kept while its payload is unchanged so a retry is idempotent. */
interface Attempt {
  readonly key: string;
  readonly mutationId: string;
  readonly outcomeId: string;
}

export function OutcomeForm({ referralId, onSubmitted }: Props) {
  const { client, sync, user, expire } = useSession();
  const id = useId();
  const [draft, setDraft] = useState<OutcomeDraft>(EMPTY_DRAFT);
  const [errors, setErrors] = useState<OutcomeErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attempt = useRef<Attempt | null>(null);
  const fieldRefs = {
    decision: useRef<HTMLSelectElement>(null),
    diagnosis: useRef<HTMLInputElement>(null),
    adviceToGp: useRef<HTMLTextAreaElement>(null),
  };

  const set = <K extends OutcomeFieldName>(field: K, value: OutcomeDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setFailure(null);
    const checked = validateOutcome(draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      const first = (['decision', 'diagnosis', 'adviceToGp'] as const).find((f) => checked.errors[f]);
      if (first) fieldRefs[first].current?.focus();
      return;
    }
    setErrors({});
    const payload: OutcomePayload = { referralId, ...checked.fields };
    const key = JSON.stringify(payload);
    if (attempt.current?.key !== key) {
      attempt.current = { key, mutationId: crypto.randomUUID(), outcomeId: crypto.randomUUID() };
    }
    const mutation: Mutation = {
      id: attempt.current.mutationId,
      type: 'outcome.submit',
      entityId: attempt.current.outcomeId,
      payload,
      clientTime: new Date().toISOString(),
    };
    setBusy(true);
    try {
      const { results } = await client.mutate([mutation]);
      const result = results.find((r) => r.id === mutation.id) ?? results[0];
      if (result?.status === 'applied' || result?.status === 'duplicate') {
        await sync.pull();
        onSubmitted(user?.role === 'registrar' ? 'Outcome sent for a consultant’s sign-off.' : 'Outcome submitted.');
        return;
      }
      attempt.current = null; // nothing was stored: the next try is a new mutation
      const reason = result?.error?.message ?? 'The service did not say why.';
      setFailure(
        result?.status === 'conflict'
          ? `Someone else changed this referral: ${reason} Review it and submit again.`
          : `The outcome was not accepted: ${reason}`,
      );
    } catch (err) {
      if (isUnauthorized(err)) return expire();
      // Network or server trouble: the same ids are reused on retry, so it cannot land twice.
      setFailure(`The outcome was not sent. ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }

  const describedBy = (field: OutcomeFieldName) => (errors[field] ? `${id}-${field}-error` : undefined);

  const fieldError = (field: OutcomeFieldName) =>
    errors[field] ? (
      <p id={`${id}-${field}-error`} className="field-error">
        <span aria-hidden="true">⚠ </span>
        {errors[field]}
      </p>
    ) : null;

  return (
    <section className="panel outcome-form" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Record outcome</h2>
      {user?.role === 'registrar' && (
        <p className="muted small" id={`${id}-registrar`}>
          As a registrar, your outcome goes to a consultant for sign-off before it is returned.
        </p>
      )}
      <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
        <div className={`field${errors.decision ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-decision`}>Decision</label>
          <select
            id={`${id}-decision`}
            ref={fieldRefs.decision}
            value={draft.decision}
            aria-invalid={errors.decision ? true : undefined}
            aria-describedby={describedBy('decision')}
            onChange={(e) => set('decision', e.target.value as OutcomeDraft['decision'])}
            disabled={busy}
          >
            <option value="">Choose a decision…</option>
            {Decision.options.map((d) => (
              <option key={d} value={d}>
                {DECISION_LABELS[d]}
              </option>
            ))}
          </select>
          {fieldError('decision')}
        </div>
        <div className={`field${errors.diagnosis ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-diagnosis`}>Diagnosis</label>
          <input
            id={`${id}-diagnosis`}
            ref={fieldRefs.diagnosis}
            type="text"
            autoComplete="off"
            value={draft.diagnosis}
            aria-invalid={errors.diagnosis ? true : undefined}
            aria-describedby={describedBy('diagnosis')}
            onChange={(e) => set('diagnosis', e.target.value)}
            disabled={busy}
          />
          {fieldError('diagnosis')}
        </div>
        <div className={`field${errors.adviceToGp ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-advice`}>Advice to GP</label>
          <textarea
            id={`${id}-advice`}
            ref={fieldRefs.adviceToGp}
            rows={6}
            value={draft.adviceToGp}
            aria-invalid={errors.adviceToGp ? true : undefined}
            aria-describedby={describedBy('adviceToGp')}
            onChange={(e) => set('adviceToGp', e.target.value)}
            disabled={busy}
          />
          {fieldError('adviceToGp')}
        </div>
        {failure && (
          <p className="alert" role="alert">
            {failure}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
            Submit outcome
          </button>
          {busy && (
            <span className="muted" role="status">
              Sending…
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
