import type { Outcome } from '../../../shared/contract';
import type { LocalDraft } from '../../../shared/viewer/workbench';

/**
 * Whether the local draft should fill the form instead of the service's draft: only when it
 * was typed after the service's version was made (a newer draft from the feed wins).
 */
export function localDraftWins(local: LocalDraft | null, editing: Pick<Outcome, 'updatedAt'> | null): local is LocalDraft {
  if (!local) return false;
  if (!editing) return true;
  return Date.parse(local.savedAt) > Date.parse(editing.updatedAt);
}
