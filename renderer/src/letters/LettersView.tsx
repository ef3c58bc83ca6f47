import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { routeHref } from '../app/route';
import { useSession } from '../app/session';
import { useOutcomesFor, usePendingEntityIds, useReferral } from '../data/hooks';
import { describeError } from '../format/errors';
import { finalOutcome, lettersFor, type LetterKind } from './letter-model';
import { LetterSheet } from './LetterSheet';
import './letters.css';

const TABS: readonly { kind: LetterKind; label: string }[] = [
  { kind: 'gp', label: 'Letter to GP' },
  { kind: 'patient', label: 'Letter to patient' },
];

/**
 * Preview of the letters a final outcome produces, with print and PDF. The print styles
 * (`letters.css`) leave only the letter on an A4 page, so the desktop's PDF, the browser's
 * "Save as PDF" and paper all come out the same.
 */
export function LettersView({ referralId }: { referralId: string }) {
  const { bridge } = useSession();
  const referral = useReferral(referralId);
  const outcomes = useOutcomesFor(referralId);
  const pending = usePendingEntityIds();
  const [kind, setKind] = useState<LetterKind>('gp');
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tabRefs = useRef<Record<LetterKind, HTMLButtonElement | null>>({ gp: null, patient: null });
  const letters = useMemo(() => (referral && outcomes ? lettersFor(referral, outcomes) : null), [referral, outcomes]);

  if (referral === undefined || outcomes === undefined) {
    return (
      <div className="letters-view" aria-busy="true">
        <p role="status">Loading…</p>
      </div>
    );
  }
  const back = (
    <a className="button" href={routeHref({ name: 'case', referralId })}>
      Back to the case
    </a>
  );
  if (referral === null || letters === null) {
    return (
      <div className="letters-view">
        <div className="letters-toolbar">{back}</div>
        <p role="status" className="letters-empty">
          {referral === null ? 'This referral is not on this workstation.' : 'Letters are written once the referral has a final outcome.'}
        </p>
      </div>
    );
  }

  const letter = letters[kind];
  // Written offline, the outcome is final here before the service has accepted it.
  const unsent = pending.has(finalOutcome(outcomes)?.id ?? '');
  const choose = (next: LetterKind) => {
    setKind(next);
    setStatus(null);
  };
  // Arrow keys move between the two tabs (ARIA tabs pattern).
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const next: LetterKind = e.key === 'Home' ? 'gp' : e.key === 'End' ? 'patient' : kind === 'gp' ? 'patient' : 'gp';
    choose(next);
    tabRefs.current[next]?.focus();
  };

  const savePdf = async () => {
    setBusy(true);
    setStatus(null);
    try {
      const result = await bridge.saveLetterPdf({ suggestedName: letter.fileName });
      if (bridge.host === 'browser') setStatus('Print dialog closed. If you chose “Save as PDF” there, the PDF is where you saved it.');
      else setStatus(result.saved ? `Saved: ${result.path ?? letter.fileName}` : 'Not saved.');
    } catch (error) {
      setStatus(`The PDF could not be saved: ${describeError(error)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="letters-view">
      <div className="letters-toolbar" role="toolbar" aria-label="Letters">
        {back}
        <div role="tablist" aria-label="Letter" className="letters-tabs">
          {TABS.map((t) => (
            <button
              key={t.kind}
              ref={(el) => {
                tabRefs.current[t.kind] = el;
              }}
              type="button"
              role="tab"
              id={`letter-tab-${t.kind}`}
              aria-selected={kind === t.kind}
              aria-controls="letter-panel"
              tabIndex={kind === t.kind ? 0 : -1}
              className={`letters-tab${kind === t.kind ? ' selected' : ''}`}
              onClick={() => choose(t.kind)}
              onKeyDown={onTabKey}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div className="header-spacer" />
        <button type="button" className="button primary" disabled={busy} onClick={() => void savePdf()}>
          Save as PDF
        </button>
        <button type="button" className="button" onClick={() => window.print()}>
          Print
        </button>
      </div>
      {bridge.host === 'browser' && (
        <p className="letters-hint muted">In a browser, “Save as PDF” opens the print dialog: choose “Save as PDF” as the destination there.</p>
      )}
      {unsent && (
        <p className="notice letters-unsent" role="note">
          This outcome has not reached the referral service yet. Send the letters once it has: until then it could still be refused.
        </p>
      )}
      <p className="letters-status" role="status">
        {status}
      </p>
      <div className="letters-paper" role="tabpanel" id="letter-panel" aria-labelledby={`letter-tab-${kind}`}>
        <LetterSheet letter={letter} />
      </div>
    </div>
  );
}
