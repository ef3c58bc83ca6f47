import { OutcomeFields, type Outcome, type OutcomeFieldName } from '../contract/outcome';

/** The clinician-written fields, in the contract's order. */
export const OUTCOME_FIELD_NAMES = Object.keys(OutcomeFields.shape) as OutcomeFieldName[];

/**
 * Just the clinician's fields of a payload or stored outcome: what the pathway rules judge and
 * what a draft stores. Absent optional fields stay absent (never `undefined`-valued keys), so
 * a stored outcome compares and serialises the same on both sides.
 */
export function outcomeFieldsOf(source: OutcomeFields): OutcomeFields {
  const out: Record<string, unknown> = {};
  for (const name of OUTCOME_FIELD_NAMES) if (source[name] !== undefined) out[name] = source[name];
  return out as OutcomeFields;
}

/**
 * An outcome with its clinician-written fields replaced by `fields`: a field missing from
 * `fields` is removed, so clearing a field in a draft clears it.
 */
export function withFields<T extends Outcome>(outcome: T, fields: OutcomeFields): T {
  const rest: Record<string, unknown> = { ...outcome };
  for (const name of OUTCOME_FIELD_NAMES) delete rest[name];
  return { ...rest, ...outcomeFieldsOf(fields) } as T;
}

/** The fields whose value differs between two versions of an outcome (by value, not identity). */
export function amendedFields(before: OutcomeFields, after: OutcomeFields): OutcomeFieldName[] {
  return OUTCOME_FIELD_NAMES.filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
}
