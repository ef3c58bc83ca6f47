import { OutcomeFields, type Decision } from '../../../shared/contract';

export interface OutcomeDraft {
  decision: Decision | '';
  diagnosis: string;
  adviceToGp: string;
}

export type OutcomeFieldName = 'decision' | 'diagnosis' | 'adviceToGp';
export type OutcomeErrors = Partial<Record<OutcomeFieldName, string>>;

export const EMPTY_DRAFT: OutcomeDraft = { decision: '', diagnosis: '', adviceToGp: '' };

const FIELD_NAMES: Record<OutcomeFieldName, string> = {
  decision: 'decision',
  diagnosis: 'diagnosis',
  adviceToGp: 'advice to the GP',
};

/**
 * Checks the form with the shared `OutcomeFields` schema (the same one the service parses
 * with) and turns its issues into one plain sentence per field.
 */
export function validateOutcome(
  draft: OutcomeDraft,
): { ok: true; fields: OutcomeFields } | { ok: false; errors: OutcomeErrors } {
  const parsed = OutcomeFields.safeParse({
    decision: draft.decision === '' ? undefined : draft.decision,
    diagnosis: { text: draft.diagnosis },
    adviceToGp: draft.adviceToGp,
  });
  if (parsed.success) return { ok: true, fields: parsed.data };
  const errors: OutcomeErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (field !== 'decision' && field !== 'diagnosis' && field !== 'adviceToGp') continue;
    if (errors[field]) continue;
    errors[field] = messageFor(field, issue);
  }
  return { ok: false, errors };
}

function messageFor(field: OutcomeFieldName, issue: { code: string; maximum?: unknown }): string {
  if (field === 'decision') return 'Choose a decision.';
  const name = FIELD_NAMES[field];
  if (issue.code === 'too_big' && typeof issue.maximum === 'number')
    return `Shorten the ${name} to ${issue.maximum.toLocaleString('en-GB')} characters or fewer.`;
  return `Enter the ${name}.`;
}
