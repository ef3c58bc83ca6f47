/**
 * The line (and IPC message) a started service announces its URL with; the desktop app
 * (`electron/main/service-plan.ts`) and the benchmarks wait for it. Keep them in step.
 */
export const LISTENING_PREFIX = 'Loupe referral service listening on ';
