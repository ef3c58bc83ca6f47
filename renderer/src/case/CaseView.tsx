import { useEffect, useMemo, useRef, useState } from 'react';
import type { ImageMark } from '../../../shared/viewer/workbench';
import { useImageMarks, useImagesFor, useNow, useReferral, useSyncStatus, useWorklistIndex } from '../data/hooks';
import { markOpenedFromQueue, nextInQueue, openedFromQueue, rememberedView, setCaseNotice, setWorklistNotice, takeCaseNotice, worklistHash } from '../worklist/queue-context';
import { patientName } from '../format/patient';
import { QUEUE_LABELS } from '../worklist/worklist-model';
import { isTypingTarget } from '../app/typing-target';
import { ImageArea } from '../viewer/ImageArea';
import { betterImagesRequest } from './better-images';
import { groupImagesByLesion } from './group-images';
import type { OutcomePrefill } from './OutcomeForm';
import { OutcomeSection } from './OutcomeSection';
import { PatientBanner } from './PatientBanner';
import { ReferralDetails } from './ReferralDetails';

/** Where O puts the keyboard: the first enabled control of the outcome form or sign-off panel. */
const OUTCOME_FOCUS = ['.outcome-form', '.signoff-panel']
  .map((panel) => `${panel} :is(select, input, textarea, button):not([disabled])`)
  .join(', ');

interface Props {
  referralId: string;
  onBack(): void;
}

/** Opens the next case of the queue, which is then also walked from. */
function goNext(id: string): void {
  markOpenedFromQueue(id);
  window.location.hash = `#/referrals/${id}`;
}

/** One referral: who, what the GP asks, the images, and the outcome. */
export function CaseView({ referralId, onBack }: Props) {
  const referral = useReferral(referralId);
  const images = useImagesFor(referralId);
  const status = useSyncStatus();
  const now = useNow();
  const groups = useMemo(() => groupImagesByLesion(images), [images]);
  const numbered = useMemo(() => groups.flatMap((g) => g.images), [groups]);
  const marks = useImageMarks(referralId);
  const [prefill, setPrefill] = useState<OutcomePrefill | null>(null);
  const prefillSeq = useRef(0);
  // Next walks the queue the case was opened from, with its filters and sort
  // (`worklist/queue-context.ts`): from a case still in it, the one after; from one that has
  // just left it (decided), the one that followed it on screen.
  const { index, version } = useWorklistIndex();
  const nowMs = now.getTime();
  const nextId = useMemo(() => nextInQueue(index, referralId, nowMs), [index, version, referralId, nowMs]);
  // After a submitted outcome (or a sign-off) on a case opened from a queue: the next case in
  // the same queue, or back to the worklist saying the queue is done (`openedFromQueue`). Read
  // when called, not when rendered: the submit's own effect may have moved this case out of the
  // queue meanwhile.
  const onSubmitted = () => {
    if (!openedFromQueue(referralId)) return;
    const next = nextInQueue(index, referralId, Date.now());
    const queue = QUEUE_LABELS[rememberedView().queue];
    if (next) {
      setCaseNotice(next, `Outcome recorded for ${referral ? patientName(referral.patient) : 'the previous case'}. Next in ${queue}.`);
      goNext(next);
    } else {
      setWorklistNotice(`Outcome recorded. Nothing else in ${queue}.`);
      window.location.hash = worklistHash();
    }
  };
  const [notice] = useState(() => takeCaseNotice(referralId));
  // Marking an image unusable pre-fills "request better images" from every mark on the
  // referral (the new one may not be in the live query yet).
  const onMarkedUnusable = (mark: ImageMark) => {
    const all = [...(marks ?? []).filter((m) => m.imageId !== mark.imageId), mark];
    prefillSeq.current += 1;
    setPrefill({ seq: prefillSeq.current, draft: betterImagesRequest(all, numbered), source: 'the images marked unusable' });
  };

  // Escape goes back to the worklist, N to the next case and O to the answer (the outcome
  // form's first field, or the sign-off choices), unless the user is typing or in a menu.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key !== 'Escape' && e.key !== 'n' && e.key !== 'o') || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (isTypingTarget(e.target)) return;
      // Escape in a dialog (the key help) closes the dialog, not the case.
      if (e.target instanceof Element && e.target.closest('dialog')) return;
      if (e.key === 'Escape') onBack();
      else if (e.key === 'o') {
        const first = document.querySelector<HTMLElement>(OUTCOME_FOCUS);
        if (first) {
          e.preventDefault();
          first.focus();
        }
      } else if (nextId) goNext(nextId);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onBack, nextId]);

  const back = (
    <nav className="case-nav" aria-label="Case navigation">
      {notice && (
        <p className="case-notice small" role="status">
          {notice}
        </p>
      )}
      <a className="back-link" href={worklistHash()}>
        <span aria-hidden="true">← </span>Back to worklist
      </a>
      {nextId && (
        <a className="next-link" href={`#/referrals/${nextId}`} title="Next case (N)" onClick={() => markOpenedFromQueue(nextId)}>
          Next case<span aria-hidden="true"> →</span>
        </a>
      )}
    </nav>
  );

  if (!referral) {
    return (
      <section className="case-missing">
        {back}
        {referral === null && status.ready ? (
          <>
            <h1>Referral not found</h1>
            <p className="muted">It may have been withdrawn, or it is not one you can see.</p>
          </>
        ) : (
          <p role="status">{referral === null ? 'Not on this workstation yet: waiting for the first sync…' : 'Opening referral…'}</p>
        )}
      </section>
    );
  }

  return (
    <article className="case" data-referral-id={referral.id} aria-label="Referral">
      <div className="case-top">
        {back}
        <PatientBanner referral={referral} now={now} />
      </div>
      <div className="case-body">
        <div className="case-side">
          <ReferralDetails referral={referral} />
          <OutcomeSection referral={referral} prefill={prefill} onPrefillApplied={() => setPrefill(null)} onSubmitted={onSubmitted} />
        </div>
        <div className="case-images">
          {numbered.length > 0 ? (
            <ImageArea referralId={referral.id} groups={groups} onMarkedUnusable={onMarkedUnusable} />
          ) : (
            <p className="panel muted">
              {referral.imageIds.length ? 'Loading images…' : 'No images were sent with this referral.'}
            </p>
          )}
        </div>
      </div>
    </article>
  );
}
