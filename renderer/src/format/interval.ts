/**
 * The time between two capture dates as a clinician says it: "6 months", "1 year 2 months",
 * "11 days". Calendar months (not 30-day blocks), counted on UTC dates, so a lesion photographed
 * on 3 May and 3 Nov reads exactly "6 months".
 */
export function formatInterval(fromIso: string, toIso: string): string {
  let a = new Date(fromIso);
  let b = new Date(toIso);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return 'unknown interval';
  if (b < a) [a, b] = [b, a];
  let months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (b.getUTCDate() < a.getUTCDate()) months -= 1;
  if (months < 1) {
    const days = Math.round((Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate()) - Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate())) / 86_400_000);
    if (days === 0) return 'same day';
    return days === 1 ? '1 day' : `${days} days`;
  }
  const years = Math.floor(months / 12);
  const rest = months % 12;
  const parts: string[] = [];
  if (years) parts.push(years === 1 ? '1 year' : `${years} years`);
  if (rest) parts.push(rest === 1 ? '1 month' : `${rest} months`);
  return parts.join(' ');
}
