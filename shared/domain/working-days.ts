/**
 * Turnaround targets count working days (Monday to Friday). Bank holidays are a per-trust
 * calendar and are passed in as ISO dates so this stays pure.
 */
export function addWorkingDays(from: Date, days: number, holidays: ReadonlySet<string> = new Set()): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a non-negative integer');
  const d = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(d, holidays)) left--;
  }
  return d;
}

export function isWorkingDay(d: Date, holidays: ReadonlySet<string> = new Set()): boolean {
  const day = d.getUTCDay();
  return day !== 0 && day !== 6 && !holidays.has(d.toISOString().slice(0, 10));
}
