import { useRef, type KeyboardEvent } from 'react';
import { IMAGE_KIND_LABELS } from '../format/labels';
import type { LesionGroup } from './group-images';
import { Thumbnail } from './Thumbnail';

interface Props {
  groups: readonly LesionGroup[];
  selectedId: string | null;
  onSelect(imageId: string): void;
}

/** The referral's images as thumbnail buttons, grouped by lesion; arrow keys move along. */
export function ImageStrip({ groups, selectedId, onSelect }: Props) {
  const ref = useRef<HTMLDivElement>(null);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button[data-image-id]') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const next = buttons[at + (e.key === 'ArrowRight' ? 1 : -1)];
    if (next) {
      e.preventDefault();
      next.focus();
      onSelect(next.dataset.imageId!);
    }
  };

  return (
    <div className="image-strip" ref={ref} role="group" aria-label="Images" onKeyDown={onKeyDown}>
      {groups.map((group) => (
        <div key={group.lesion} className="lesion-group" role="group" aria-label={`Lesion ${group.lesion}`}>
          <span className="lesion-name" aria-hidden="true">
            Lesion {group.lesion}
          </span>
          <div className="lesion-images">
            {group.images.map(({ image, number, label }) => (
              <button
                key={image.id}
                type="button"
                className="thumb"
                data-image-id={image.id}
                aria-label={label}
                aria-pressed={image.id === selectedId}
                title={label}
                onClick={() => onSelect(image.id)}
              >
                <Thumbnail image={image} />
                <span className="thumb-caption" aria-hidden="true">
                  {number} · {IMAGE_KIND_LABELS[image.kind]}
                </span>
              </button>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
