/**
 * The time between two capture dates as a clinician says it: "6 months", "1 year 2 months",
 * "11 days". Under four weeks in days; otherwise in calendar months (not 30-day blocks) to the
 * nearest month, counted on UTC dates, so 3 May to 3 Nov reads exactly "6 months".
 */
export function formatInterval(fromIso: string, toIso: string): string {
  let a = new Date(fromIso);
  let b = new Date(toIso);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return 'unknown interval';
  if (b < a) [a, b] = [b, a];
  const days = Math.round((Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate()) - Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate())) / 86_400_000);
  if (days < 28) {
    if (days === 0) return 'same day';
    return days === 1 ? '1 day' : `${days} days`;
  }
  // Whole calendar months, then to the nearest: 23 Nov to 21 May is "6 months", not "5".
  let months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  const anniversary = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + months, a.getUTCDate()));
  const past = Math.round((Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate()) - anniversary.getTime()) / 86_400_000);
  if (past >= 15) months += 1;
  if (past <= -15) months -= 1;
  months = Math.max(1, months);
  const years = Math.floor(months / 12);
  const rest = months % 12;
  const parts: string[] = [];
  if (years) parts.push(years === 1 ? '1 year' : `${years} years`);
  if (rest) parts.push(rest === 1 ? '1 month' : `${rest} months`);
  return parts.join(' ');
}
