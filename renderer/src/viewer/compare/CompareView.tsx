import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ImageRecord, Point } from '../../../../shared/contract';
import { IDENTITY, type Affine } from '../../../../shared/viewer/affine';
import { proportionalMap } from '../../../../shared/viewer/pose';
import { fitSimilarity } from '../../../../shared/viewer/similarity';
import { comparisonKey, type Alignment, type Comparison } from '../../../../shared/viewer/workbench';
import { useSession } from '../../app/session';
import { useComparison, useLesionTimeline } from '../../data/hooks';
import { formatDate } from '../../format/dates';
import { formatInterval } from '../../format/interval';
import { IMAGE_KIND_LABELS } from '../../format/labels';
import { DeepZoomPane, type PaneHandle } from '../DeepZoomPane';
import type { ViewerCommand } from '../keymap';
import { navigate } from '../navigation';
import { useViewerKeys } from '../use-viewer-keys';
import { AlignmentMarks } from './AlignmentMarks';
import { LesionTimeline } from './LesionTimeline';
import { PaneSync } from './pane-sync';

export type CompareMode = Comparison['mode'];
const MAX_PANES = 4;

interface Props {
  referralId: string;
  lesion: string;
  /** The image the clinician was looking at when they asked to compare. */
  startImageId: string;
  onClose(): void;
  onHelp(): void;
}

/** Two points in the reference image, then the same two landmarks in the other image. */
interface AligningState {
  readonly otherId: string;
  readonly reference: readonly Point[];
  readonly other: readonly Point[];
}

function paneLabel(image: ImageRecord, isCurrent: boolean): string {
  return `${formatDate(image.capturedAt)}, ${IMAGE_KIND_LABELS[image.kind]}${isCurrent ? ' (this referral)' : ''}`;
}

/** The map from the reference image to another, from a saved alignment or by proportion. */
function mapFor(reference: ImageRecord, image: ImageRecord, alignment: Alignment | undefined): Affine {
  if (image.id === reference.id) return IDENTITY;
  if (alignment) {
    try {
      return fitSimilarity(alignment.reference, alignment.other);
    } catch {
      // A saved pair that no longer fits (it cannot be made, but stored data is not trusted).
    }
  }
  return proportionalMap(reference, image);
}

/**
 * "Has this lesion changed?": every image of the lesion across the patient's referrals on a
 * timeline, two to four of them side by side, or two as an overlay or a swipe, all kept in step
 * in image coordinates (through a two-point alignment once made). The alignment, mode, opacity
 * and split are saved on this workstation with the set of images compared.
 */
export function CompareView({ referralId, lesion, startImageId, onClose, onHelp }: Props) {
  const { workspace } = useSession();
  const timeline = useLesionTimeline(referralId, lesion);
  const [chosen, setChosen] = useState<readonly string[] | null>(null);

  // First choice: the image asked about and the latest earlier image of the lesion (else the
  // next one), so "C" answers "what did it look like last time" at once.
  const defaultChoice = useMemo(() => {
    if (!timeline) return null;
    const ids = timeline.map((t) => t.image.id);
    const at = ids.indexOf(startImageId);
    if (at < 0) return ids.slice(-2);
    const start = timeline[at]!.image;
    const earlier = timeline.filter((t) => t.image.capturedAt < start.capturedAt && t.referral.id !== referralId);
    const sameKind = [...earlier].reverse().find((t) => t.image.kind === start.kind) ?? earlier[earlier.length - 1];
    const other = sameKind?.image.id ?? ids.find((id) => id !== startImageId);
    return other ? [other, startImageId] : [startImageId];
  }, [timeline, startImageId, referralId]);
  const imageIds = chosen ?? defaultChoice ?? [];
  const byId = useMemo(() => new Map((timeline ?? []).map((t) => [t.image.id, t])), [timeline]);
  // Oldest first: the reference (pane 1) is the earliest image, as a clinician reads a series.
  const entries = useMemo(
    () => imageIds.map((id) => byId.get(id)).filter((t) => t !== undefined).sort((a, b) => a.image.capturedAt.localeCompare(b.image.capturedAt)),
    [imageIds, byId],
  );
  const images = entries.map((e) => e.image);
  const saved = useComparison(images.map((i) => i.id));
  const [mode, setMode] = useState<CompareMode>('side-by-side');
  const [opacity, setOpacity] = useState(0.5);
  const [split, setSplit] = useState(0.5);
  const [aligning, setAligning] = useState<AligningState | null>(null);
  const [alignError, setAlignError] = useState<string | null>(null);
  const restoredFor = useRef<string | null>(null);

  const key = images.length >= 2 ? comparisonKey(images.map((i) => i.id)) : null;
  // A saved comparison of this set of images brings back its mode, opacity and split.
  // (The hook may still hold the record of the previous set for a moment: match on its key.)
  useEffect(() => {
    if (!key || !saved || saved.key !== key || restoredFor.current === key) return;
    restoredFor.current = key;
    setMode(saved.mode);
    setOpacity(saved.opacity);
    setSplit(saved.split);
  }, [key, saved]);

  // Landmarks are picked side by side: stacked, the top image would take every click.
  const stacked = mode !== 'side-by-side' && !aligning;
  const shown = stacked ? images.slice(0, 2) : images;
  const alignments = saved && saved.key === key ? saved.alignments : {};
  const reference = shown[0];
  const maps = useMemo(
    () => (reference ? shown.map((image) => mapFor(reference, image, alignments[image.id])) : []),
    // The maps change only with the images shown and their saved alignments.
    [shown.map((i) => i.id).join(), JSON.stringify(alignments)],
  );

  const paneRefs = useRef<(PaneHandle | null)[]>([]);
  const sync = useRef(new PaneSync());
  // The pane handles are refs (no render when they change), so the sync is told after every
  // render; it re-aligns the followers only when the panes or their maps have changed, not on
  // every slider step.
  const syncedFor = useRef('');
  useEffect(() => {
    const panes = shown.map((_, i) => paneRefs.current[i] ?? null);
    sync.current.setPanes(panes, maps);
    const signature = `${mode}|${panes.map((p) => (p ? 1 : 0)).join('')}|${JSON.stringify(maps)}`;
    if (signature === syncedFor.current) return;
    syncedFor.current = signature;
    sync.current.resync();
  });

  const save = useCallback(
    async (patch: Partial<Pick<Comparison, 'mode' | 'opacity' | 'split' | 'alignments'>>) => {
      if (!key) return;
      const record: Comparison = {
        key,
        referralId,
        imageIds: images.map((i) => i.id),
        mode,
        opacity,
        split,
        alignments,
        ...patch,
        updatedAt: new Date().toISOString(),
      };
      await workspace.workbench.saveComparison(record);
    },
    [key, referralId, images, mode, opacity, split, alignments, workspace],
  );

  const changeMode = (next: CompareMode) => {
    setMode(next);
    setAligning(null);
    void save({ mode: next });
  };

  const startAlignment = () => {
    const other = shown[1];
    if (!other) return;
    setAlignError(null);
    setAligning({ otherId: other.id, reference: [], other: [] });
  };

  const pick = (paneIndex: number, point: Point) => {
    if (!aligning) return;
    const isReference = paneIndex === 0;
    const next: AligningState = isReference
      ? aligning.reference.length < 2
        ? { ...aligning, reference: [...aligning.reference, point] }
        : aligning
      : shown[paneIndex]?.id === aligning.otherId && aligning.reference.length === 2 && aligning.other.length < 2
        ? { ...aligning, other: [...aligning.other, point] }
        : aligning;
    if (next.reference.length === 2 && next.other.length === 2) {
      const alignment: Alignment = {
        reference: [next.reference[0]!, next.reference[1]!],
        other: [next.other[0]!, next.other[1]!],
      };
      try {
        fitSimilarity(alignment.reference, alignment.other);
      } catch (e) {
        setAlignError(e instanceof Error ? e.message : 'These points cannot align the images.');
        setAligning({ ...next, reference: [], other: [] });
        return;
      }
      setAligning(null);
      void save({ alignments: { ...alignments, [next.otherId]: alignment } });
      return;
    }
    setAligning(next);
  };

  const clearAlignment = () => {
    const rest = Object.fromEntries(Object.entries(alignments).filter(([id]) => !shown.some((s) => s.id === id)));
    void save({ alignments: rest });
  };

  const alignStep = !aligning
    ? null
    : aligning.reference.length < 2
      ? `Click landmark ${aligning.reference.length + 1} of 2 on the earlier image (pane 1), or bring it under the cross and press Space.`
      : `Click the same landmark ${aligning.other.length + 1} of 2 on the later image (pane 2), or bring it under the cross and press Space.`;

  const onCommand = (command: ViewerCommand): boolean => {
    if (command === 'leave-mode') {
      if (aligning) setAligning(null);
      else onClose();
      return true;
    }
    if (command === 'compare') {
      onClose();
      return true;
    }
    if (command === 'help') {
      onHelp();
      return true;
    }
    const pane = paneRefs.current[sync.current.leaderIndex()];
    return pane ? navigate(command, pane) : false;
  };
  useViewerKeys(onCommand);

  const toggle = (imageId: string) => {
    const now = images.map((i) => i.id);
    const next = now.includes(imageId) ? now.filter((id) => id !== imageId) : [...now, imageId].slice(-MAX_PANES);
    setAligning(null);
    setChosen(next);
  };

  const first = images[0];
  const last = images[images.length - 1];
  const interval = first && last && images.length >= 2 ? formatInterval(first.capturedAt, last.capturedAt) : null;

  return (
    <section className="compare" aria-label="Compare over time" data-mode={mode}>
      <div className="compare-bar">
        <h2 className="compare-title">
          Lesion {lesion}: compare over time
          {interval && <span className="compare-interval"> · {interval} between the first and last image shown</span>}
        </h2>
        <div className="compare-controls">
          <div role="radiogroup" aria-label="Comparison mode" className="segmented">
            {(
              [
                ['side-by-side', 'Side by side'],
                ['overlay', 'Overlay'],
                ['swipe', 'Swipe'],
              ] as const
            ).map(([value, text]) => (
              <label key={value} className={mode === value ? 'on' : ''}>
                <input type="radio" name="compare-mode" value={value} checked={mode === value} onChange={() => changeMode(value)} disabled={value !== 'side-by-side' && images.length < 2} />
                {text}
              </label>
            ))}
          </div>
          {mode === 'overlay' && (
            <label className="slider">
              Opacity of the later image
              <input type="range" min={0} max={1} step={0.01} value={opacity} aria-valuetext={`${Math.round(opacity * 100)}%`} onChange={(e) => setOpacity(Number(e.target.value))} onPointerUp={() => void save({ opacity })} onKeyUp={() => void save({ opacity })} />
            </label>
          )}
          {mode === 'swipe' && (
            <label className="slider">
              Split position
              <input type="range" min={0} max={1} step={0.01} value={split} aria-valuetext={`${Math.round(split * 100)}% from the left`} onChange={(e) => setSplit(Number(e.target.value))} onPointerUp={() => void save({ split })} onKeyUp={() => void save({ split })} />
            </label>
          )}
          <button type="button" className="button" onClick={aligning ? () => setAligning(null) : startAlignment} disabled={shown.length < 2} aria-pressed={Boolean(aligning)}>
            {aligning ? 'Cancel alignment' : 'Align with two points'}
          </button>
          {shown.slice(1).some((s) => alignments[s.id]) && !aligning && (
            <button type="button" className="button" onClick={clearAlignment}>
              Clear alignment
            </button>
          )}
          <button type="button" className="button" onClick={onClose} title="Leave the comparison (Esc or C)">
            Close comparison
          </button>
        </div>
        {alignStep && (
          <p className="compare-step" role="status">
            {alignStep}
          </p>
        )}
        {alignError && (
          <p className="compare-error" role="alert">
            {alignError}
          </p>
        )}
        {stacked && images.length > 2 && <p className="muted">Overlay and swipe show the two earliest images chosen.</p>}
      </div>
      <div className="compare-main">
        <LesionTimeline entries={timeline ?? []} chosen={images.map((i) => i.id)} currentReferralId={referralId} max={MAX_PANES} onToggle={toggle} />
        {shown.length === 0 ? (
          <p className="panel muted">{timeline === undefined ? 'Finding the images of this lesion…' : 'Choose images of this lesion to compare.'}</p>
        ) : (
          <div className={`compare-panes ${stacked ? 'stacked' : `n${shown.length}`}`}>
            {shown.map((image, i) => {
              const entry = byId.get(image.id)!;
              const label = `Pane ${i + 1}: ${paneLabel(image, entry.referral.id === referralId)}`;
              const top = stacked && i === 1;
              const style = top ? (mode === 'overlay' ? { opacity } : { clipPath: `inset(0 0 0 ${split * 100}%)` }) : undefined;
              return (
                <section key={`${mode}:${image.id}`} className={`compare-pane${top ? ' top' : ''}`} aria-label={label} style={style}>
                  <p className="compare-pane-caption">{label}</p>
                  <DeepZoomPane
                    ref={(h) => {
                      paneRefs.current[i] = h;
                    }}
                    image={image}
                    label={`${label}, lesion ${lesion}`}
                    showNavigator={!stacked || top}
                    onActivate={() => sync.current.lead(i)}
                    onPose={(pose) => sync.current.moved(i, pose)}
                    onOpened={() => sync.current.resync()}
                    overlay={
                      aligning
                        ? (toScreen) => (
                            <AlignmentMarks
                              toScreen={toScreen}
                              points={i === 0 ? aligning.reference : image.id === aligning.otherId ? aligning.other : []}
                              active={i === 0 ? aligning.reference.length < 2 : image.id === aligning.otherId && aligning.reference.length === 2}
                              onPick={(p) => pick(i, p)}
                              label={i === 0 ? 'Pick a landmark on the earlier image' : 'Pick the same landmark on the later image'}
                            />
                          )
                        : undefined
                    }
                  />
                </section>
              );
            })}
            {mode === 'swipe' && shown.length === 2 && <div className="swipe-line" aria-hidden="true" style={{ left: `${split * 100}%` }} />}
          </div>
        )}
      </div>
    </section>
  );
}
