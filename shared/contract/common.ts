import { z } from 'zod';
import { isValidNhsNumber } from '../domain/nhs-number';

export const API_BASE = '/api/v1';
export const API_VERSION = '1';

/**
 * UUIDs compare case-insensitively (RFC 9562) but are stored and compared as text, so every
 * id is lowered as it is parsed: `…AB…` and `…ab…` name the same referral on both backends.
 */
export const Uuid = z.uuid().toLowerCase();
export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();

export const Role = z.enum(['consultant', 'registrar', 'referrer', 'admin']);
export type Role = z.infer<typeof Role>;
export const CLINICIAN_ROLES: readonly Role[] = ['consultant', 'registrar'];
export const isClinician = (role: Role): boolean => CLINICIAN_ROLES.includes(role);

export const Pathway = z.enum(['advice', 'usc', 'waiting-list']);
export type Pathway = z.infer<typeof Pathway>;

export const Sex = z.enum(['female', 'male', 'other', 'unknown']);
export type Sex = z.infer<typeof Sex>;

export const NhsNumber = z
  .string()
  .regex(/^\d{10}$/, 'NHS number must be ten digits')
  .refine(isValidNhsNumber, 'NHS number fails the modulus-11 check');

/**
 * Free text typed by people: bounded so one field cannot exhaust storage or the UI. Control
 * characters other than tab and line breaks are refused: nobody types them, and NUL cannot
 * be stored by PostgreSQL at all.
 */
export const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'control characters are not allowed');

export const UserRef = z.object({ id: Uuid, name: z.string().min(1).max(200), role: Role });
export type UserRef = z.infer<typeof UserRef>;
