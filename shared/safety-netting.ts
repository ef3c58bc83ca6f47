/**
 * Reusable safety-netting advice (resources/terms/safety-netting.json): plain-words text a
 * clinician inserts into the outcome and edits for the patient. Pure: no DOM, no Node.
 */
import { z } from 'zod';
import data from '../resources/terms/safety-netting.json';

export const SafetyNettingTemplate = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  title: z.string().min(1).max(80),
  text: z.string().min(1).max(2000),
});
export type SafetyNettingTemplate = z.infer<typeof SafetyNettingTemplate>;

const SafetyNettingTemplates = z
  .strictObject({ about: z.string(), templates: z.array(SafetyNettingTemplate).min(1) })
  .refine((t) => new Set(t.templates.map((x) => x.id)).size === t.templates.length, 'template ids must be unique');

export const SAFETY_NETTING_TEMPLATES: readonly SafetyNettingTemplate[] = SafetyNettingTemplates.parse(data).templates;

export function safetyNettingTemplate(id: string): SafetyNettingTemplate | undefined {
  return SAFETY_NETTING_TEMPLATES.find((t) => t.id === id);
}

/**
 * The safety-netting text with a template added: appended after what is there (a blank line
 * between), never replacing what the clinician wrote; inserting the same template twice
 * leaves the text as it was.
 */
export function withTemplate(current: string, template: SafetyNettingTemplate): string {
  if (current.includes(template.text)) return current;
  const before = current.trimEnd();
  return before ? `${before}\n\n${template.text}` : template.text;
}
