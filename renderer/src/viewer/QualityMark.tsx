import { useId, useState, type FormEvent } from 'react';
import type { ImageRecord } from '../../../shared/contract';
import { ImageMark, UNUSABLE_REASON_LABELS, UnusableReason } from '../../../shared/viewer/workbench';
import { useSession } from '../app/session';
import { useImageMarks } from '../data/hooks';
import { describeError } from '../format/errors';

interface Props {
  image: ImageRecord;
  /** The mark was stored: the case view pre-fills a "request better images" outcome from it. */
  onMarked(mark: ImageMark): void;
}

/**
 * "This image is not good enough": a reason from the fixed list (the audit counts them), an
 * optional note, stored on this workstation with the clinician's other working notes, and
 * cleared again if the clinician changes their mind.
 */
export function QualityMark({ image, onMarked }: Props) {
  const { workspace } = useSession();
  const id = useId();
  const marks = useImageMarks(image.referralId);
  const mark = marks?.find((m) => m.imageId === image.id) ?? null;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<UnusableReason | ''>('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = UnusableReason.safeParse(reason);
    if (!parsed.success) {
      setError('Choose why the image cannot be used.');
      return;
    }
    const candidate = ImageMark.safeParse({
      imageId: image.id,
      referralId: image.referralId,
      reason: parsed.data,
      ...(note.trim() ? { note: note.trim() } : {}),
      at: new Date().toISOString(),
    });
    if (!candidate.success) {
      setError(candidate.error.issues[0]?.message ?? 'The note cannot be stored.');
      return;
    }
    try {
      await workspace.workbench.markUnusable(candidate.data);
      setOpen(false);
      setError(null);
      setReason('');
      setNote('');
      onMarked(candidate.data);
    } catch (err) {
      setError(`The mark could not be stored: ${describeError(err)}`);
    }
  };

  if (mark) {
    return (
      <section className="quality-mark marked" aria-label="Image quality">
        <p>
          <strong>Marked unusable:</strong> {UNUSABLE_REASON_LABELS[mark.reason]}
          {mark.note ? ` (${mark.note})` : ''}
        </p>
        <div className="row">
          <button type="button" className="button" onClick={() => onMarked(mark)}>
            Pre-fill request for better images
          </button>
          <button type="button" className="button" onClick={() => void workspace.workbench.clearMark(image.id)}>
            Clear unusable mark
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="quality-mark" aria-label="Image quality">
      {!open ? (
        <button type="button" className="button" aria-expanded={false} onClick={() => setOpen(true)}>
          Mark image unusable…
        </button>
      ) : (
        <form onSubmit={(e) => void submit(e)} aria-label="Mark image unusable" noValidate>
          <label htmlFor={`${id}-reason`}>Reason</label>
          <select
            id={`${id}-reason`}
            value={reason}
            onChange={(e) => setReason(e.target.value as UnusableReason | '')}
            aria-invalid={Boolean(error)}
            aria-describedby={error ? `${id}-error` : undefined}
          >
            <option value="">Choose…</option>
            {UnusableReason.options.map((r) => (
              <option key={r} value={r}>
                {UNUSABLE_REASON_LABELS[r]}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-note`}>Note (optional)</label>
          <input id={`${id}-note`} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
          {error && (
            <p id={`${id}-error`} className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="row">
            <button type="submit" className="button primary">
              Mark unusable
            </button>
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
