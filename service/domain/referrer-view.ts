import { isClinician, type Role } from '../../shared/contract';

/**
 * What a referrer (or an administrator, who sees the same) is shown of a change. A final
 * outcome goes back to the GP, but the supervision around it stays within the clinical team:
 * the consultant's comment to the registrar, the registrar's values the consultant replaced,
 * and any earlier return with its comment. Who signed it off, and when, stays visible.
 */
export function viewOfChange(type: string, data: unknown, role: Role): unknown {
  if (isClinician(role) || type !== 'outcome' || typeof data !== 'object' || data === null) return data;
  const outcome = data as Record<string, unknown>;
  const signedOff = outcome.signedOff as Record<string, unknown> | null | undefined;
  const withoutSupervision: Record<string, unknown> = { ...outcome, returned: null };
  if (signedOff && typeof signedOff === 'object') {
    const { comment: _comment, before: _before, amendedFields: _fields, ...kept } = signedOff;
    withoutSupervision.signedOff = kept;
  }
  return withoutSupervision;
}
