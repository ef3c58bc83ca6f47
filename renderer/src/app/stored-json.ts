import type { z } from 'zod';

/**
 * A small non-clinical record in web storage, parsed with its schema on the way out: anything
 * missing, unreadable or of another shape is `null` (the caller's default), never a crash.
 */
export function readStored<T>(storage: Storage | null, key: string, schema: z.ZodType<T>): T | null {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Written only after it parses; a full or disabled storage is the caller's to report. */
export function writeStored<T>(storage: Storage | null, key: string, schema: z.ZodType<T>, value: T): void {
  storage?.setItem(key, JSON.stringify(schema.parse(value)));
}
