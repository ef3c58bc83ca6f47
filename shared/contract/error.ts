import { z } from 'zod';

/** Every error the service returns has this body (service-api.md, Conventions). */
export const ErrorBody = z.object({
  error: z
    .object({
      code: z.string().regex(/^[a-z][a-z0-9_]*$/),
      message: z.string(),
    })
    .loose(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
