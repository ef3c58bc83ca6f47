import { z } from 'zod';

/**
 * What the benchmark page reports to the runner (through `page.evaluate`): one schema for both
 * sides, and the runner parses it, as every value crossing a process boundary is.
 */
export const ViewSample = z.object({
  view: z.string(),
  rows: z.number().int().nonnegative(),
  baselineMs: z.number().nonnegative(),
  uiMs: z.number().nonnegative(),
  /** To React having committed the view (before the frame is painted). */
  commitMs: z.number().nonnegative(),
  indexMs: z.number().nonnegative(),
});
export type ViewSample = z.infer<typeof ViewSample>;

export const PageResult = z.object({
  referrals: z.number().int(),
  outcomes: z.number().int(),
  seedMs: z.number(),
  buildMs: z.number(),
  fullDecryptMs: z.number(),
  catchUp: z.object({ referralsChanged: z.number().int(), outcomesAdded: z.number().int(), ms: z.number(), decrypted: z.number().int() }),
  firstMount: z.object({ ms: z.number(), rowsInDom: z.number().int() }),
  domRowsAtEnd: z.number().int(),
  samples: z.array(ViewSample),
});
export type PageResult = z.infer<typeof PageResult>;
