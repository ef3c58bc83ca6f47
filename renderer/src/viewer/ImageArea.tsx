import { useCallback, useMemo, useState } from 'react';
import { bodySiteKey, summariseBodySites } from '../../../shared/body-sites';
import type { ImageMark } from '../../../shared/viewer/workbench';
import { BodyMap } from '../case/BodyMap';
import type { LesionGroup, NumberedImage } from '../case/group-images';
import { ImageStrip } from '../case/ImageStrip';
import { CompareView } from './compare/CompareView';
import { ImageViewer } from './ImageViewer';
import { KeyboardHelp } from './KeyboardHelp';

interface Props {
  referralId: string;
  groups: readonly LesionGroup[];
  /** An image was marked unusable (or the clinician asked again): pre-fill the outcome. */
  onMarkedUnusable(mark: ImageMark): void;
}

/**
 * The case's images: the body map and strip choose, the viewer shows one image, and "Compare"
 * swaps the viewer for the lesion's timeline and synced panes. The keyboard help belongs here so
 * both modes share it.
 */
export function ImageArea({ referralId, groups, onMarkedUnusable }: Props) {
  const [siteFilter, setSiteFilter] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [comparing, setComparing] = useState(false);
  const [help, setHelp] = useState(false);

  const sites = useMemo(() => summariseBodySites(groups.flatMap((g) => g.images.map((n) => n.image.bodySite))), [groups]);

  const shownGroups = useMemo(
    () =>
      siteFilter
        ? groups.map((g) => ({ ...g, images: g.images.filter((n) => bodySiteKey(n.image.bodySite) === siteFilter) })).filter((g) => g.images.length > 0)
        : groups,
    [groups, siteFilter],
  );
  const shown: readonly NumberedImage[] = useMemo(() => shownGroups.flatMap((g) => g.images), [shownGroups]);
  const selected = shown.find((n) => n.image.id === selectedId) ?? shown[0] ?? null;
  const at = selected ? shown.indexOf(selected) : -1;
  const previous = at > 0 ? shown[at - 1]! : null;
  const next = at >= 0 && at < shown.length - 1 ? shown[at + 1]! : null;
  const toggleHelp = useCallback(() => setHelp((h) => !h), []);

  return (
    <>
      <div className="image-nav">
        {sites.length > 0 && <BodyMap sites={sites} selectedKey={siteFilter} onSelect={setSiteFilter} />}
        {!comparing && <ImageStrip groups={shownGroups} selectedId={selected?.image.id ?? null} onSelect={setSelectedId} />}
      </div>
      {selected &&
        (comparing ? (
          <CompareView referralId={referralId} lesion={selected.image.lesion} startImageId={selected.image.id} onClose={() => setComparing(false)} onHelp={toggleHelp} />
        ) : (
          <ImageViewer
            image={selected.image}
            label={selected.label}
            onPrevious={previous ? () => setSelectedId(previous.image.id) : null}
            onNext={next ? () => setSelectedId(next.image.id) : null}
            onCompare={() => setComparing(true)}
            onHelp={toggleHelp}
            onMarkedUnusable={onMarkedUnusable}
          />
        ))}
      <KeyboardHelp open={help} onClose={() => setHelp(false)} />
    </>
  );
}
