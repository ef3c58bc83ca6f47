import { z } from 'zod';
import { IsoDateTime, UserRef } from './common';

export const SignInRequest = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SessionResponse = z.object({
  token: z.string().min(32),
  expiresAt: IsoDateTime,
  user: UserRef,
});
export type SessionResponse = z.infer<typeof SessionResponse>;
