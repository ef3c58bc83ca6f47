import type { Pathway } from '../../../shared/contract';
import { PATHWAY_DESCRIPTIONS, PATHWAY_LABELS } from '../format/labels';

/** The pathway in words; USC also gets a marked badge (the word carries it, not the colour). */
export function PathwayBadge({ pathway }: { pathway: Pathway }) {
  return (
    <span className={`pathway pathway-${pathway}`} title={PATHWAY_DESCRIPTIONS[pathway]}>
      {pathway === 'usc' && <span className="pathway-flag" aria-hidden="true">!</span>}
      {PATHWAY_LABELS[pathway]}
    </span>
  );
}
