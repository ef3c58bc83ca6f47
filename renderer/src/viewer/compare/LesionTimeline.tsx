import type { ImageRecord, Referral } from '../../../../shared/contract';
import { formatDate } from '../../format/dates';
import { formatInterval } from '../../format/interval';
import { IMAGE_KIND_LABELS } from '../../format/labels';
import { Thumbnail } from '../../case/Thumbnail';

interface Entry {
  readonly image: ImageRecord;
  readonly referral: Referral;
}

interface Props {
  entries: readonly Entry[];
  chosen: readonly string[];
  currentReferralId: string;
  max: number;
  onToggle(imageId: string): void;
}

/**
 * Every image of the lesion across the patient's referrals, oldest first, grouped by capture
 * date, each a checkbox choosing it for the comparison (up to `max`).
 */
export function LesionTimeline({ entries, chosen, currentReferralId, max, onToggle }: Props) {
  const dates = [...new Set(entries.map((e) => e.image.capturedAt.slice(0, 10)))];
  const first = entries[0]?.image.capturedAt;
  return (
    <nav className="timeline" aria-label="Lesion timeline">
      <p className="timeline-summary">
        {dates.length} {dates.length === 1 ? 'date' : 'dates'}, {entries.length} {entries.length === 1 ? 'image' : 'images'}
      </p>
      <ol>
        {dates.map((day) => {
          const onDay = entries.filter((e) => e.image.capturedAt.startsWith(day));
          const at = onDay[0]!.image.capturedAt;
          const current = onDay.some((e) => e.referral.id === currentReferralId);
          return (
            <li key={day} className="timeline-date">
              <h3>
                {formatDate(at)}
                {current ? ' · this referral' : ''}
                {first && at !== first && <span className="muted"> · +{formatInterval(first, at)}</span>}
              </h3>
              <ul>
                {onDay.map(({ image }) => {
                  const checked = chosen.includes(image.id);
                  const label = `${formatDate(image.capturedAt)} ${IMAGE_KIND_LABELS[image.kind]}, ${image.bodySite}`;
                  return (
                    <li key={image.id}>
                      <label className={`timeline-image${checked ? ' on' : ''}`}>
                        <input type="checkbox" checked={checked} disabled={!checked && chosen.length >= max} onChange={() => onToggle(image.id)} aria-label={`Compare ${label}`} />
                        <Thumbnail image={image} />
                        <span>{IMAGE_KIND_LABELS[image.kind]}</span>
                      </label>
                    </li>
                  );
                })}
              </ul>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
