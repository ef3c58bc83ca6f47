import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { DECISION_LABELS, OutcomePayload, type Mutation, type Outcome, type Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import { useOutboxEntries } from '../data/hooks';
import type { OutboxEntry, Resolution } from '../data/store/outbox-store';
import { describeError } from '../format/errors';
import { REFERRAL_STATUS_LABELS } from '../format/labels';

const ACTION_LABELS: Record<string, string> = {
  'outcome.save-draft': 'Draft outcome',
  'outcome.submit': 'Outcome',
  'outcome.sign-off': 'Sign-off',
  'outcome.return': 'Return to registrar',
  'referral.claim': 'Take referral',
  'referral.release': 'Release referral',
  'referral.request-info': 'Request for information',
  'annotation.save': 'Annotation',
  'annotation.delete': 'Annotation removal',
};

/**
 * Everything of this clinician's that the service has not yet accepted. Conflicts show their
 * version beside the current one and wait for a choice; refusals show the service's reason
 * and wait to be dismissed. Nothing leaves this list without the service's acceptance or the
 * clinician's decision, and every decision is logged with both versions.
 */
export function ChangesView() {
  const entries = useOutboxEntries();
  if (!entries) return <p role="status">Reading your changes…</p>;
  const conflicts = entries.filter((e) => e.row.state === 'conflict');
  const refused = entries.filter((e) => e.row.state === 'rejected');
  const pending = entries.filter((e) => e.row.state === 'pending');

  return (
    <section className="changes" aria-labelledby="changes-title">
      <div className="page-head">
        <h1 id="changes-title">Your changes</h1>
        <p className="muted">
          {pending.length} waiting to be sent · {conflicts.length} conflict{conflicts.length === 1 ? '' : 's'} · {refused.length} refused
        </p>
      </div>
      <section aria-labelledby="conflicts-title" className="changes-group">
        <h2 id="conflicts-title">Conflicts</h2>
        {conflicts.length === 0 ? <p className="muted">None.</p> : conflicts.map((e) => <ConflictCard key={e.row.mutationId} entry={e} />)}
      </section>
      <section aria-labelledby="refused-title" className="changes-group">
        <h2 id="refused-title">Refused by the service</h2>
        {refused.length === 0 ? <p className="muted">None.</p> : refused.map((e) => <RefusedCard key={e.row.mutationId} entry={e} />)}
      </section>
      <section aria-labelledby="pending-title" className="changes-group">
        <h2 id="pending-title">Waiting to be sent</h2>
        {pending.length === 0 ? (
          <p className="muted">Nothing waiting: every change has reached the service.</p>
        ) : (
          <ul className="pending-list">
            {pending.map((e) => (
              <li key={e.row.mutationId}>
                {ACTION_LABELS[e.mutation.type] ?? e.mutation.type} · {new Date(e.row.createdAt).toLocaleString('en-GB')}
                {e.row.chained ? <span className="muted"> (after your earlier change)</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}

function useResolve(entry: OutboxEntry) {
  const { workspace } = useSession();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const resolve = async (choice: Resolution) => {
    setBusy(true);
    setFailure(null);
    try {
      await workspace.outbox.resolve(entry.row.mutationId, choice);
      if (choice === 'reapply') void workspace.sync.kickPush();
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, resolve };
}

function ConflictCard({ entry }: { entry: OutboxEntry }) {
  const { workspace } = useSession();
  const { busy, failure, resolve } = useResolve(entry);
  const isOutcome = entry.mutation.type.startsWith('outcome.');
  const current = useLiveQuery(
    (): Promise<Outcome | Referral | null> =>
      isOutcome
        ? workspace.queries.serverVersion('outcomes', entry.mutation.entityId)
        : workspace.queries.serverVersion('referrals', entry.mutation.entityId),
    [workspace, entry.mutation.entityId, isOutcome],
  );
  const label = ACTION_LABELS[entry.mutation.type] ?? entry.mutation.type;
  return (
    <article className="panel conflict" aria-label={`Conflict: ${label}`}>
      <p className="small">
        Someone changed this after you started: {entry.row.error?.message ?? 'the version you edited is no longer the current one.'}
      </p>
      <div className="versions">
        <section aria-label="Your version">
          <h3>Your version</h3>
          <MutationView mutation={entry.mutation} />
        </section>
        <section aria-label="Current version">
          <h3>Current version</h3>
          {current === undefined ? <p className="muted">Reading…</p> : current === null ? <p className="muted">It no longer exists.</p> : <EntityView value={current} />}
        </section>
      </div>
      <div className="form-actions">
        <button type="button" className="button primary" disabled={busy} onClick={() => void resolve('reapply')}>
          Apply mine on top
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void resolve('discard')}>
          Discard mine
        </button>
      </div>
      {failure && <p className="alert" role="alert">{failure}</p>}
    </article>
  );
}

function RefusedCard({ entry }: { entry: OutboxEntry }) {
  const { busy, failure, resolve } = useResolve(entry);
  const label = ACTION_LABELS[entry.mutation.type] ?? entry.mutation.type;
  return (
    <article className="panel refused" aria-label={`Refused: ${label}`}>
      <p>
        <strong>{label}</strong> was refused: {entry.row.error?.message ?? 'no reason given'}{' '}
        <span className="muted">({entry.row.error?.code ?? 'rejected'})</span>
      </p>
      <MutationView mutation={entry.mutation} />
      <div className="form-actions">
        <button type="button" className="button" disabled={busy} onClick={() => void resolve('discard')}>
          Dismiss
        </button>
      </div>
      {failure && <p className="alert" role="alert">{failure}</p>}
    </article>
  );
}

function MutationView({ mutation }: { mutation: Mutation }) {
  const outcome = OutcomePayload.safeParse(mutation.payload);
  if (outcome.success) return <OutcomeFieldsView decision={outcome.data.decision} diagnosis={outcome.data.diagnosis.text} advice={outcome.data.adviceToGp} />;
  return <p>{ACTION_LABELS[mutation.type] ?? mutation.type}</p>;
}

function EntityView({ value }: { value: Outcome | Referral }) {
  if ('decision' in value) {
    return (
      <>
        <OutcomeFieldsView decision={value.decision} diagnosis={value.diagnosis.text} advice={value.adviceToGp} />
        <p className="muted small">
          Version {value.version}, {value.status}, last changed {new Date(value.updatedAt).toLocaleString('en-GB')}
        </p>
      </>
    );
  }
  return (
    <p>
      {REFERRAL_STATUS_LABELS[value.status]}
      {value.assignedTo ? `, in review by ${value.assignedTo.name}` : ''}
    </p>
  );
}

function OutcomeFieldsView({ decision, diagnosis, advice }: { decision: Outcome['decision']; diagnosis: string; advice: string }) {
  return (
    <dl className="facts">
      <dt>Decision</dt>
      <dd>{DECISION_LABELS[decision]}</dd>
      <dt>Diagnosis</dt>
      <dd>{diagnosis}</dd>
      <dt>Advice to GP</dt>
      <dd className="prewrap">{advice}</dd>
    </dl>
  );
}
