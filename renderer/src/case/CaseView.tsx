import { useEffect, useMemo, useRef, useState } from 'react';
import type { ImageMark } from '../../../shared/viewer/workbench';
import { useImageMarks, useImagesFor, useNow, useReferral, useReferrals, useSyncStatus } from '../data/hooks';
import { useSession } from '../app/session';
import { nextReferrals } from '../data/worklist-scope';
import { isTypingTarget } from '../app/typing-target';
import { ImageArea } from '../viewer/ImageArea';
import { betterImagesRequest } from './better-images';
import { groupImagesByLesion } from './group-images';
import type { OutcomePrefill } from './OutcomeForm';
import { OutcomeSection } from './OutcomeSection';
import { PatientBanner } from './PatientBanner';
import { ReferralDetails } from './ReferralDetails';

interface Props {
  referralId: string;
  onBack(): void;
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
  const { user } = useSession();
  const all = useReferrals();
  // The next case is the next one to act on, soonest due first: the order prefetch follows.
  // From a case still in that queue, the one after it (so Next walks the queue instead of
  // going back to the first); from one no longer in it (just decided), the first.
  const nextId = useMemo(() => {
    const queue = nextReferrals(all ?? [], user.role, Number.MAX_SAFE_INTEGER);
    const here = queue.findIndex((r) => r.id === referralId);
    return queue[here + 1]?.id ?? null;
  }, [all, user.role, referralId]);
  // Marking an image unusable pre-fills "request better images" from every mark on the
  // referral (the new one may not be in the live query yet).
  const onMarkedUnusable = (mark: ImageMark) => {
    const all = [...(marks ?? []).filter((m) => m.imageId !== mark.imageId), mark];
    prefillSeq.current += 1;
    setPrefill({ seq: prefillSeq.current, draft: betterImagesRequest(all, numbered), source: 'the images marked unusable' });
  };

  // Escape goes back to the worklist, unless the user is typing or in a menu.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key !== 'Escape' && e.key !== 'n') || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (isTypingTarget(e.target)) return;
      // Escape in a dialog (the key help) closes the dialog, not the case.
      if (e.target instanceof Element && e.target.closest('dialog')) return;
      if (e.key === 'Escape') onBack();
      else if (nextId) window.location.hash = `#/referrals/${nextId}`;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onBack, nextId]);

  const back = (
    <nav className="case-nav" aria-label="Case navigation">
      <a className="back-link" href="#/">
        <span aria-hidden="true">← </span>Back to worklist
      </a>
      {nextId && (
        <a className="next-link" href={`#/referrals/${nextId}`} title="Next case (N)">
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
          <OutcomeSection referral={referral} prefill={prefill} onPrefillApplied={() => setPrefill(null)} />
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
