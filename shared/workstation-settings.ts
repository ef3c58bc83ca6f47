import { z } from 'zod';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * What a workstation may be configured with: the clinician's own preferences and the
 * policy an administrator sets. Parsed wherever it is read (local storage, the desktop host).
 */
export const WorkstationSettings = z.object({
  /** Bytes of image tiles kept for offline use; least recently used go first. */
  tileBudgetBytes: z.number().int().min(64 * MIB).max(200 * GIB).default(2 * GIB),
  /** How many of the clinician's next referrals (by due time) are prefetched. */
  prefetchCount: z.number().int().min(0).max(500).default(50),
  /** Cached records and tiles not used for this long are deleted. */
  cacheMaxAgeDays: z.number().int().min(1).max(365).default(30),
  /** How long after the last online sign-in the workstation may be unlocked offline. */
  offlineGraceHours: z.number().int().min(0).max(24 * 30).default(72),
  /** Administrator policy: wipe this user's cache (never the unsent outbox) at sign-out. */
  wipeCacheAtSignOut: z.boolean().default(false),
});
export type WorkstationSettings = z.infer<typeof WorkstationSettings>;

export const DEFAULT_SETTINGS: WorkstationSettings = WorkstationSettings.parse({});

/** The screen prefetch fills: a 1440p monitor, plus one pyramid level deeper. */
export const PREFETCH_SCREEN = { width: 2560, height: 1440 } as const;
