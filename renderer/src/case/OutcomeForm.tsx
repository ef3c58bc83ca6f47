import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { DECISION_LABELS, Decision, type Mutation, type Outcome, type OutcomePayload, type Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import { localEffects } from '../data/store/local-effects';
import { describeError } from '../format/errors';
import { EMPTY_DRAFT, validateOutcome, type OutcomeDraft, type OutcomeErrors, type OutcomeFieldName } from './outcome-validation';

interface Props {
  referral: Referral;
  /** The unsubmitted outcome to carry on with, if any (a draft, or one returned for changes). */
  editing: Outcome | null;
  /** Whether the form's outcome has changes not yet confirmed by the service. */
  unsent: boolean;
  onDone(message: string): void;
  /** A pre-filled answer (from images marked unusable); a new `seq` applies it again. */
  prefill?: OutcomePrefill | null;
  /** The pre-fill is in the form: the owner drops it, so a remount never applies it again. */
  onPrefillApplied?(): void;
}

export interface OutcomePrefill {
  readonly seq: number;
  readonly draft: OutcomeDraft;
  /** Says where the text came from, so the clinician knows to check it. */
  readonly source: string;
}

const fromOutcome = (o: Outcome): OutcomeDraft => ({ decision: o.decision, diagnosis: o.diagnosis.text, adviceToGp: o.adviceToGp });

/**
 * The outcome form. Saving a draft and submitting both go into the outbox with their local
 * effect in one transaction; the form confirms as soon as that is stored, online or not, and
 * the sync sends it. The outcome's id is made here once, so every save of this form is a new
 * version of the same outcome.
 */
export function OutcomeForm({ referral, editing, unsent, onDone, prefill = null, onPrefillApplied }: Props) {
  const { workspace, user } = useSession();
  const id = useId();
  const [draft, setDraft] = useState<OutcomeDraft>(() => (editing ? fromOutcome(editing) : EMPTY_DRAFT));
  const [errors, setErrors] = useState<OutcomeErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const outcomeId = useRef(editing?.id ?? crypto.randomUUID());
  const touched = useRef(false);
  const fieldRefs = {
    decision: useRef<HTMLSelectElement>(null),
    diagnosis: useRef<HTMLInputElement>(null),
    adviceToGp: useRef<HTMLTextAreaElement>(null),
  };

  // A draft arriving from the feed (or another window) fills the form until the user types.
  useEffect(() => {
    if (!editing || touched.current) return;
    outcomeId.current = editing.id;
    setDraft(fromOutcome(editing));
  }, [editing]);

  // A pre-fill replaces the decision and advice; a diagnosis the clinician already typed stays.
  const [prefilledFrom, setPrefilledFrom] = useState<string | null>(null);
  const prefillSeq = prefill?.seq ?? null;
  useEffect(() => {
    if (!prefill) return;
    touched.current = true;
    setDraft((d) => ({ ...prefill.draft, diagnosis: d.diagnosis.trim() ? d.diagnosis : prefill.draft.diagnosis }));
    setErrors({});
    setPrefilledFrom(prefill.source);
    onPrefillApplied?.();
    // Applied once per seq: the draft object is rebuilt on every render of the case view.
  }, [prefillSeq]);

  const set = <K extends OutcomeFieldName>(field: K, value: OutcomeDraft[K]) => {
    touched.current = true;
    setDraft((d) => ({ ...d, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  async function record(type: 'outcome.save-draft' | 'outcome.submit') {
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
    const payload: OutcomePayload = { referralId: referral.id, ...checked.fields };
    const mutation: Omit<Mutation, 'baseVersion'> = {
      id: crypto.randomUUID(),
      type,
      entityId: outcomeId.current,
      payload,
      clientTime: new Date().toISOString(),
    };
    setBusy(true);
    try {
      const effects = localEffects(mutation, { user, now: mutation.clientTime, outcome: editing?.id === outcomeId.current ? editing : null, referral });
      await workspace.act({ mutation, effects });
      touched.current = false;
      const queued = workspace.sync.getStatus().network !== 'online' ? ' It will be sent when the service can be reached.' : '';
      onDone(
        type === 'outcome.save-draft'
          ? `Draft saved.${queued}`
          : user.role === 'registrar'
            ? `Outcome sent for a consultant’s sign-off.${queued}`
            : `Outcome submitted.${queued}`,
      );
    } catch (err) {
      setFailure(`The outcome could not be stored on this workstation: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void record('outcome.submit');
  };

  const describedBy = (field: OutcomeFieldName) => (errors[field] ? `${id}-${field}-error` : undefined);
  const fieldError = (field: OutcomeFieldName) =>
    errors[field] ? (
      <p id={`${id}-${field}-error`} className="field-error">
        <span aria-hidden="true">⚠ </span>
        {errors[field]}
      </p>
    ) : null;

  return (
    <section className="panel outcome-form" aria-labelledby={`${id}-title`} data-outcome-id={editing?.id ?? ''}>
      <h2 id={`${id}-title`}>Record outcome</h2>
      {editing && (
        <p className="muted small" role="note">
          {editing.status === 'returned' ? 'Returned for changes' : 'Draft'} by {editing.author.name}
          {unsent ? ' · not yet sent' : ''}
          {editing.returned && editing.status === 'returned' ? ` · “${editing.returned.comment}”` : ''}
        </p>
      )}
      {prefilledFrom && (
        <p className="notice small" role="note">
          Pre-filled from {prefilledFrom}. Check and edit before saving.
        </p>
      )}
      {user.role === 'registrar' && (
        <p className="muted small">As a registrar, your outcome goes to a consultant for sign-off before it is returned.</p>
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
          <button type="button" className="button" disabled={busy} onClick={() => void record('outcome.save-draft')}>
            Save draft
          </button>
        </div>
      </form>
    </section>
  );
}
