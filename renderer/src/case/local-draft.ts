import { useCallback, useEffect, useRef } from 'react';
import type { LocalDraft, OutcomeDraftValues } from '../../../shared/viewer/workbench';
import type { Workspace } from '../data/workspace';

/** How long typing must pause before the form is written down: often enough, not per key. */
export const AUTOSAVE_MS = 500;

/**
 * Writes the form to the referral's sealed local draft a pause after each change, and once
 * more when the form goes away (a quick switch to another case loses nothing). `cancel` drops
 * what is pending and deletes the record: the outcome has gone into the outbox.
 */
export function useDraftAutosave(workspace: Workspace, referralId: string, outcomeId: () => string, enabled: boolean) {
  const pending = useRef<OutcomeDraftValues | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const write = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const values = pending.current;
    pending.current = null;
    if (!values) return;
    const draft: LocalDraft = { referralId, outcomeId: outcomeId(), values, savedAt: new Date().toISOString() };
    workspace.workbench.saveDraft(draft).catch((err: unknown) => {
      // The error's name only: never what was typed.
      console.warn(`Local outcome draft not saved (${err instanceof Error ? err.name : 'unknown error'}).`);
    });
  }, [workspace, referralId, outcomeId]);

  const schedule = useCallback(
    (values: OutcomeDraftValues) => {
      if (!enabled) return;
      pending.current = values;
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(write, AUTOSAVE_MS);
    },
    [enabled, write],
  );

  const cancel = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    pending.current = null;
    await workspace.workbench.deleteDraft(referralId);
  }, [workspace, referralId]);

  useEffect(() => () => write(), [write]);

  return { schedule, cancel };
}
