import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Controller, get, useFieldArray, useForm, type FieldErrors, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import {
  CONFIDENCE_LABELS,
  Confidence,
  DECISION_LABELS,
  Decision,
  LIST_REVIEW_LABELS,
  ListReview,
  PRIORITY_LABELS,
  REQUEST_REASON_LABELS,
  RequestReason,
  type Mutation,
  type Outcome,
  type OutcomeFields,
  type OutcomePayload,
  type Referral,
} from '../../../shared/contract';
import { PATHWAY_PRIORITIES } from '../../../shared/domain/outcome-rules';
import { SAFETY_NETTING_TEMPLATES, safetyNettingTemplate, withTemplate } from '../../../shared/safety-netting';
import { useSession } from '../app/session';
import { localEffects } from '../data/store/local-effects';
import { describeError } from '../format/errors';
import { formatDateTime } from '../format/dates';
import type { PrefillValues } from './better-images';
import { DiagnosisCombobox } from './DiagnosisCombobox';
import { localDraftWins } from './draft-choice';
import { useDraftAutosave } from './local-draft';
import {
  EMPTY_DIAGNOSIS,
  EMPTY_VALUES,
  formSchema,
  friendlyMessage,
  hiddenFields,
  REQUEST_MESSAGE_MAX,
  requestInfoFrom,
  sameFormValues,
  showsAgreement,
  valuesFromFields,
  type CheckMode,
  type FormValues,
} from './outcome-form-model';
import './outcome-form.css';

export interface OutcomePrefill {
  readonly seq: number;
  readonly draft: PrefillValues;
  /** Says where the text came from, so the clinician knows to check it. */
  readonly source: string;
}

/** A consultant amending a registrar's outcome before signing it off: the same form, no drafts. */
export interface AmendMode {
  readonly outcome: Outcome;
  /** The amended fields passed the pathway's rules: show the difference before confirming. */
  onReview(fields: OutcomeFields): void;
  onCancel(): void;
  /** Values to start from (coming back from the review), else the registrar's. */
  readonly values?: FormValues;
}

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
  /** After a successful submit (not a draft): the case view opens the next case. */
  onSubmitted?(): void;
  amend?: AmendMode;
}

const MAX_DIFFERENTIALS = 10;

/**
 * The outcome form, driven by the referral's pathway schema (`OUTCOME_SCHEMAS`) on submit and
 * by the contract's minimum for a draft; every rule's message shows beside its field. Saving
 * a draft and submitting both go into the outbox with their local effect in one transaction;
 * the form confirms as soon as that is stored, online or not. Between saves the form is kept
 * in a sealed local draft as the clinician types. The outcome's id is made here once, so every
 * save of this form is a new version of the same outcome.
 */
export function OutcomeForm({ referral, editing, unsent, onDone, prefill = null, onPrefillApplied, onSubmitted, amend }: Props) {
  const { workspace, user } = useSession();
  const id = useId();
  const pathway = referral.pathway;
  const amending = amend !== undefined;
  const outcomeId = useRef(editing?.id ?? crypto.randomUUID());
  const getOutcomeId = useCallback(() => outcomeId.current, []);
  const checkMode = useRef<CheckMode>('submit');
  const touched = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [prefilledFrom, setPrefilledFrom] = useState<string | null>(null);
  const [restoredFrom, setRestoredFrom] = useState<string | null>(null);
  const [, setFocusRequest] = useState(0);
  const [templateId, setTemplateId] = useState(SAFETY_NETTING_TEMPLATES[0]?.id ?? '');

  const resolver = useMemo<Resolver<FormValues, unknown, OutcomeFields>>(() => {
    const bySchema = {
      submit: zodResolver(formSchema(pathway, 'submit'), { error: (iss) => friendlyMessage(iss) }),
      draft: zodResolver(formSchema(pathway, 'draft'), { error: (iss) => friendlyMessage(iss) }),
    };
    return async (values, context, options) => {
      const result = await bySchema[checkMode.current](values, context, options);
      if (!Object.keys(result.errors).length) return result;
      // A field the form does not show cannot be corrected: its issue is not the clinician's.
      const errors: FieldErrors<FormValues> = { ...result.errors };
      for (const f of hiddenFields(pathway, values)) delete errors[f];
      return Object.keys(errors).length ? { values: {}, errors } : result;
    };
  }, [pathway]);

  const initial = amend?.values ?? (amend ? valuesFromFields(amend.outcome) : editing ? valuesFromFields(editing) : EMPTY_VALUES);
  const form = useForm<FormValues, unknown, OutcomeFields>({
    defaultValues: initial,
    resolver,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    shouldFocusError: false,
  });
  const { register, control, handleSubmit, watch, setValue, getValues, reset, setError, formState } = form;
  const { errors, isSubmitted } = formState;
  const differentials = useFieldArray({ control, name: 'differentials' });
  const autosave = useDraftAutosave(workspace, referral.id, getOutcomeId, !amending);
  const scheduleAutosave = autosave.schedule;

  // Every change the clinician makes is kept locally (a pause after typing).
  useEffect(() => {
    const sub = watch((values, { name }) => {
      if (name === undefined) return; // a reset, not typing
      touched.current = true;
      scheduleAutosave(structuredClone(values) as FormValues);
    });
    return () => sub.unsubscribe();
  }, [watch, scheduleAutosave]);

  // A draft arriving from the feed (or another window) fills the form until the user types.
  // The clinician's own saved draft coming back changes nothing: resetting to the same values
  // would only wipe the messages of a submit tried meanwhile.
  useEffect(() => {
    if (amending || !editing || touched.current) return;
    outcomeId.current = editing.id;
    const incoming = valuesFromFields(editing);
    if (sameFormValues(incoming, getValues())) return;
    reset(incoming);
  }, [editing, amending, reset, getValues]);

  // The local draft, if newer than the service's, wins (read once, when the case opens).
  useEffect(() => {
    if (amending) return;
    let live = true;
    void workspace.workbench.draft(referral.id).then((local) => {
      if (!live || touched.current || !localDraftWins(local, editing)) return;
      if (!editing) outcomeId.current = local.outcomeId;
      // Restored text counts as the clinician's: a copy from the feed must not replace it.
      touched.current = true;
      reset(local.values);
      setRestoredFrom(formatDateTime(local.savedAt));
    });
    return () => {
      live = false;
    };
    // Once per case: later drafts from the feed are handled above.
  }, [referral.id, amending]);

  // A pre-fill replaces the decision, advice and reasons; a diagnosis already typed stays.
  const prefillSeq = prefill?.seq ?? null;
  useEffect(() => {
    if (!prefill) return;
    touched.current = true;
    const current = getValues();
    const next: FormValues = { ...current, ...prefill.draft, diagnosis: current.diagnosis.text.trim() ? current.diagnosis : prefill.draft.diagnosis };
    reset(next);
    autosave.schedule(structuredClone(next));
    setPrefilledFrom(prefill.source);
    onPrefillApplied?.();
    // Applied once per seq: the prefill object is rebuilt on every render of the case view.
  }, [prefillSeq]);

  // After a refused save or submit, the first field in error takes focus once its error shows
  // (react-hook-form publishes the errors after calling onInvalid, so this checks every render).
  const focusPending = useRef(false);
  useEffect(() => {
    if (!focusPending.current) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!first) return;
    focusPending.current = false;
    first.focus();
  });
  const onInvalid = () => {
    focusPending.current = true;
    setFocusRequest((n) => n + 1);
  };

  // Amending opens in place of the sign-off buttons: start at its first field.
  useEffect(() => {
    if (amending) formRef.current?.querySelector<HTMLElement>('select, input, textarea')?.focus();
  }, [amending]);

  const decision = watch('decision');
  const priority = watch('priority');
  const agreementShown = showsAgreement(pathway, { decision, priority });
  const requestingInfo = decision === 'request-info';

  async function store(mutation: Omit<Mutation, 'baseVersion'>, outcome: Outcome | null): Promise<boolean> {
    setBusy(true);
    try {
      const effects = localEffects(mutation, { user, now: mutation.clientTime, outcome, referral });
      await workspace.act({ mutation, effects });
      return true;
    } catch (err) {
      setFailure(`Not stored on this workstation: ${describeError(err)}`);
      return false;
    } finally {
      setBusy(false);
    }
  }

  const queuedNote = () => (workspace.sync.getStatus().network !== 'online' ? ' It will be sent when the service can be reached.' : '');

  async function recordOutcome(type: 'outcome.save-draft' | 'outcome.submit', fields: OutcomeFields) {
    const payload: OutcomePayload = { referralId: referral.id, ...fields };
    const mutation = { id: crypto.randomUUID(), type, entityId: outcomeId.current, payload, clientTime: new Date().toISOString() };
    if (!(await store(mutation, editing?.id === outcomeId.current ? editing : null))) return;
    await autosave.cancel();
    touched.current = false;
    const queued = queuedNote();
    if (type === 'outcome.save-draft') {
      onDone(`Draft saved.${queued}`);
      return;
    }
    onDone(user.role === 'registrar' ? `Outcome sent for a consultant’s sign-off.${queued}` : `Outcome submitted.${queued}`);
    onSubmitted?.();
  }

  /** A "request more information" decision asks the GP (the referral waits) instead of closing it. */
  async function requestInfo(fields: OutcomeFields) {
    const payload = requestInfoFrom(fields);
    if (payload.message.length > REQUEST_MESSAGE_MAX) {
      setError('adviceToGp', { type: 'too_big', message: `The request to the GP must fit in ${REQUEST_MESSAGE_MAX.toLocaleString('en-GB')} characters with its reasons: shorten the advice.` });
      onInvalid();
      return;
    }
    const mutation = { id: crypto.randomUUID(), type: 'referral.request-info' as const, entityId: referral.id, payload, clientTime: new Date().toISOString() };
    if (!(await store(mutation, null))) return;
    await autosave.cancel();
    touched.current = false;
    onDone(`Request sent to the GP; the referral waits for their answer.${queuedNote()}`);
    onSubmitted?.();
  }

  const submit = () => {
    if (busy) return;
    setFailure(null);
    checkMode.current = 'submit';
    void handleSubmit((fields) => {
      if (amend) amend.onReview(fields);
      else if (fields.decision === 'request-info') return requestInfo(fields);
      else return recordOutcome('outcome.submit', fields);
    }, onInvalid)();
  };

  const saveDraft = () => {
    if (busy) return;
    setFailure(null);
    checkMode.current = 'draft';
    void handleSubmit((fields) => recordOutcome('outcome.save-draft', fields), onInvalid)();
  };

  // Ctrl+Enter (⌘+Enter) submits from any field. A plain Enter in a one-line field does not:
  // a clinical answer is never sent by a stray key.
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key !== 'Enter') return;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      submit();
    } else if (e.target instanceof HTMLInputElement) {
      e.preventDefault();
    }
  };

  const insertTemplate = () => {
    const template = safetyNettingTemplate(templateId);
    if (!template) return;
    setValue('safetyNetting', withTemplate(getValues('safetyNetting'), template), { shouldDirty: true, shouldValidate: isSubmitted });
  };

  /** The message for a form path: the field's own, or its group's (arrays keep theirs in `root`). */
  const errorAt = (path: string): string | undefined => {
    const e = get(errors, path) as { message?: string; root?: { message?: string } } | undefined;
    return e?.message ?? e?.root?.message;
  };
  const errId = (path: string) => `${id}-${path.replace(/\./g, '-')}-error`;
  const fieldError = (path: string, message = errorAt(path)) =>
    message ? (
      <p id={errId(path)} className="field-error">
        <span aria-hidden="true">⚠ </span>
        {message}
      </p>
    ) : null;
  const aria = (path: string, message = errorAt(path), hint?: string) => ({
    'aria-invalid': message ? true : undefined,
    'aria-describedby': [message ? errId(path) : '', hint ?? ''].filter(Boolean).join(' ') || undefined,
  });
  const cls = (message: string | undefined) => `field${message ? ' invalid' : ''}`;

  const diagnosisError = errorAt('diagnosis.text') ?? errorAt('diagnosis.code') ?? errorAt('diagnosis');
  const agreementError = errorAt('referrerAgreement');
  const agreementNameError = errorAt('referrerAgreement.name') ?? (get(errors, 'referrerAgreement.message') as string | undefined);
  const priorities = PATHWAY_PRIORITIES[pathway];
  const title = amending ? 'Amend outcome' : 'Record outcome';

  return (
    <section className="panel outcome-form" aria-labelledby={`${id}-title`} data-outcome-id={editing?.id ?? ''}>
      <h2 id={`${id}-title`}>{title}</h2>
      {editing && !amending && (
        <p className="muted small" role="note">
          {editing.status === 'returned' ? 'Returned for changes' : 'Draft'} by {editing.author.name}
          {unsent ? ' · not yet sent' : ''}
        </p>
      )}
      {editing?.returned && editing.status === 'returned' && !amending && (
        <div className="returned-note" role="note" aria-label="Returned for changes">
          <p className="small">
            <strong>Returned by {editing.returned.by.name}</strong> <span className="muted">{formatDateTime(editing.returned.at)}</span>
          </p>
          <p className="prewrap">{editing.returned.comment}</p>
        </div>
      )}
      {restoredFrom && (
        <p className="notice small" role="note">
          Restored your unsaved draft from {restoredFrom}.
        </p>
      )}
      {prefilledFrom && (
        <p className="notice small" role="note">
          Pre-filled from {prefilledFrom}. Check and edit before saving.
        </p>
      )}
      {user.role === 'registrar' && !amending && (
        <p className="muted small">As a registrar, your outcome goes to a consultant for sign-off before it is returned.</p>
      )}
      <form ref={formRef} onSubmit={(e) => (e.preventDefault(), submit())} onKeyDown={onKeyDown} noValidate aria-labelledby={`${id}-title`}>
        <div className={cls(errorAt('decision'))}>
          <label htmlFor={`${id}-decision`}>Decision</label>
          <select id={`${id}-decision`} {...register('decision')} {...aria('decision')} disabled={busy}>
            <option value="">Choose a decision…</option>
            {Decision.options.map((d) => (
              <option key={d} value={d}>
                {DECISION_LABELS[d]}
              </option>
            ))}
          </select>
          {fieldError('decision')}
        </div>

        {requestingInfo && !amending && (
          <p className="muted small" id={`${id}-request-hint`}>
            Submitting sends the reasons and your advice to the GP as a request; the referral waits for their answer.
          </p>
        )}
        {requestingInfo && (
          <fieldset className={`${cls(errorAt('requestReasons'))} checks`} aria-describedby={errorAt('requestReasons') ? errId('requestReasons') : undefined}>
            <legend>Reasons for the request</legend>
            {RequestReason.options.map((r, i) => (
              <label key={r} className="check">
                <input type="checkbox" value={r} {...register('requestReasons')} {...(i === 0 ? aria('requestReasons') : {})} disabled={busy} />
                {REQUEST_REASON_LABELS[r]}
              </label>
            ))}
            {fieldError('requestReasons')}
          </fieldset>
        )}

        <div className={cls(diagnosisError)}>
          <label htmlFor={`${id}-diagnosis`}>Diagnosis</label>
          <Controller
            control={control}
            name="diagnosis"
            render={({ field }) => (
              <DiagnosisCombobox
                id={`${id}-diagnosis`}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                inputRef={field.ref}
                invalid={diagnosisError !== undefined}
                describedBy={diagnosisError ? errId('diagnosis') : `${id}-diagnosis-hint`}
                disabled={busy}
              />
            )}
          />
          <p id={`${id}-diagnosis-hint`} className="hint small">
            Type to search coded terms (↑ ↓, Enter to pick); free text is fine when no code fits.
          </p>
          {fieldError('diagnosis', diagnosisError)}
        </div>

        <div className="field-row">
          <div className={cls(errorAt('confidence'))}>
            <label htmlFor={`${id}-confidence`}>Confidence</label>
            <select id={`${id}-confidence`} {...register('confidence')} {...aria('confidence')} disabled={busy}>
              <option value="">Not stated</option>
              {Confidence.options.map((c) => (
                <option key={c} value={c}>
                  {CONFIDENCE_LABELS[c]}
                </option>
              ))}
            </select>
            {fieldError('confidence')}
          </div>
          <div className={cls(errorAt('priority'))}>
            <label htmlFor={`${id}-priority`}>Priority</label>
            <select id={`${id}-priority`} {...register('priority')} {...aria('priority')} disabled={busy}>
              <option value="">{pathway === 'waiting-list' ? 'Choose a P-code…' : 'Not set'}</option>
              {priorities.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABELS[p]}
                </option>
              ))}
            </select>
            {fieldError('priority')}
          </div>
        </div>

        <fieldset className="field differentials">
          <legend>Differentials</legend>
          {differentials.fields.map((row, i) => {
            const message = errorAt(`differentials.${i}.text`) ?? errorAt(`differentials.${i}`);
            return (
              <div key={row.id} className={`differential${message ? ' invalid' : ''}`}>
                <label htmlFor={`${id}-differential-${i}`}>Differential {i + 1}</label>
                <div className="differential-row">
                  <Controller
                    control={control}
                    name={`differentials.${i}`}
                    render={({ field }) => (
                      <DiagnosisCombobox
                        id={`${id}-differential-${i}`}
                        value={field.value}
                        onChange={field.onChange}
                        onBlur={field.onBlur}
                        inputRef={field.ref}
                        invalid={message !== undefined}
                        describedBy={message ? errId(`differentials.${i}`) : undefined}
                        disabled={busy}
                      />
                    )}
                  />
                  <button type="button" className="button subtle" onClick={() => differentials.remove(i)} disabled={busy}>
                    Remove<span className="visually-hidden"> differential {i + 1}</span>
                  </button>
                </div>
                {fieldError(`differentials.${i}`, message)}
              </div>
            );
          })}
          {differentials.fields.length < MAX_DIFFERENTIALS && (
            <button
              type="button"
              className="button subtle"
              onClick={() => differentials.append({ ...EMPTY_DIAGNOSIS }, { focusName: `differentials.${differentials.fields.length}` })}
              disabled={busy}
            >
              Add differential
            </button>
          )}
          {fieldError('differentials', errorAt('differentials'))}
        </fieldset>

        {agreementShown && (
          <fieldset className={`${cls(agreementError ?? errorAt('referrerAgreement.on'))} agreement`} aria-describedby={`${id}-agreement-hint`}>
            <legend>Referrer’s agreement</legend>
            <p id={`${id}-agreement-hint`} className="hint small">
              This takes an urgent suspected cancer referral off its pathway. Only the referrer may agree to that: record who agreed and when.
            </p>
            <div className="field-row">
              <div className={cls(agreementNameError)}>
                <label htmlFor={`${id}-agreement-name`}>Agreed by (referrer)</label>
                <input id={`${id}-agreement-name`} type="text" autoComplete="off" {...register('referrerAgreement.name')} {...aria(agreementError ? 'referrerAgreement' : 'referrerAgreement.name', agreementNameError)} disabled={busy} />
                {fieldError(agreementError ? 'referrerAgreement' : 'referrerAgreement.name', agreementNameError)}
              </div>
              <div className={cls(errorAt('referrerAgreement.on'))}>
                <label htmlFor={`${id}-agreement-on`}>Agreed on</label>
                <input id={`${id}-agreement-on`} type="date" {...register('referrerAgreement.on')} {...aria('referrerAgreement.on')} disabled={busy} />
                {fieldError('referrerAgreement.on')}
              </div>
            </div>
            <div className={cls(errorAt('referrerAgreement.note'))}>
              <label htmlFor={`${id}-agreement-note`}>Agreement note (optional)</label>
              <input id={`${id}-agreement-note`} type="text" autoComplete="off" {...register('referrerAgreement.note')} {...aria('referrerAgreement.note')} disabled={busy} />
              {fieldError('referrerAgreement.note')}
            </div>
          </fieldset>
        )}

        {pathway === 'waiting-list' && (
          <>
            <fieldset className={`${cls(errorAt('listReview'))} checks`} aria-describedby={errorAt('listReview') ? errId('listReview') : undefined}>
              <legend>List review</legend>
              {ListReview.options.map((r, i) => (
                <label key={r} className="check">
                  <input type="radio" value={r} {...register('listReview')} {...(i === 0 ? aria('listReview') : {})} disabled={busy} />
                  {LIST_REVIEW_LABELS[r]}
                </label>
              ))}
              {fieldError('listReview')}
            </fieldset>
            <div className={cls(errorAt('patientAgreedToRemoval'))}>
              <label className="check">
                <input type="checkbox" {...register('patientAgreedToRemoval')} {...aria('patientAgreedToRemoval')} disabled={busy} />
                The patient agreed to leave the waiting list
              </label>
              {fieldError('patientAgreedToRemoval')}
            </div>
          </>
        )}

        <div className={cls(errorAt('managementPlan'))}>
          <label htmlFor={`${id}-plan`}>Management plan</label>
          <textarea id={`${id}-plan`} rows={3} {...register('managementPlan')} {...aria('managementPlan')} disabled={busy} />
          {fieldError('managementPlan')}
        </div>

        <div className={cls(errorAt('adviceToGp'))}>
          <label htmlFor={`${id}-advice`}>Advice to GP</label>
          <textarea id={`${id}-advice`} rows={6} {...register('adviceToGp')} {...aria('adviceToGp')} disabled={busy} />
          {fieldError('adviceToGp')}
        </div>

        <div className={cls(errorAt('patientInformation'))}>
          <label htmlFor={`${id}-patient`}>Information for the patient</label>
          <textarea id={`${id}-patient`} rows={3} {...register('patientInformation')} {...aria('patientInformation')} disabled={busy} />
          {fieldError('patientInformation')}
        </div>

        <div className={cls(errorAt('safetyNetting'))}>
          <label htmlFor={`${id}-safety`}>Safety-netting advice</label>
          <div className="template-row" role="group" aria-label="Safety-netting templates">
            <select aria-label="Template" value={templateId} onChange={(e) => setTemplateId(e.target.value)} disabled={busy}>
              {SAFETY_NETTING_TEMPLATES.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.title}
                </option>
              ))}
            </select>
            <button type="button" className="button subtle" onClick={insertTemplate} disabled={busy}>
              Insert template
            </button>
          </div>
          <textarea id={`${id}-safety`} rows={4} {...register('safetyNetting')} {...aria('safetyNetting', undefined, `${id}-safety-hint`)} disabled={busy} />
          <p id={`${id}-safety-hint`} className="hint small">
            Shown to the patient: what should make them seek help again, and how fast. Required for a discharge.
          </p>
          {fieldError('safetyNetting')}
        </div>

        <div className={cls(errorAt('followUp'))}>
          <label htmlFor={`${id}-follow-up`}>Follow-up</label>
          <input id={`${id}-follow-up`} type="text" autoComplete="off" {...register('followUp')} {...aria('followUp')} disabled={busy} />
          {fieldError('followUp')}
        </div>

        {failure && (
          <p className="alert" role="alert">
            {failure}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy} aria-busy={busy} aria-keyshortcuts="Control+Enter">
            {amending ? 'Review amendments' : requestingInfo ? 'Send request to GP' : 'Submit outcome'}
          </button>
          {amending ? (
            <button type="button" className="button" disabled={busy} onClick={amend.onCancel}>
              Cancel amending
            </button>
          ) : (
            <button type="button" className="button" disabled={busy} onClick={saveDraft}>
              Save draft
            </button>
          )}
          <span className="muted small">
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> {amending ? 'reviews' : 'submits'} from any field
          </span>
        </div>
      </form>
    </section>
  );
}
