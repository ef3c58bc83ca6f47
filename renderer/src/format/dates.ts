/**
 * Dates as NHS staff read them: day, short month word, year; 24-hour UK time. Fixed to
 * Europe/London and with our own month names, so every workstation and test machine shows
 * exactly the same text whatever its locale data.
 */
const TZ = 'Europe/London';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const partsFmt = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
  timeZone: TZ,
});

interface UkParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The wall-clock date and time in the UK at an instant. */
export function ukParts(d: Date): UkParts {
  const parts = partsFmt.formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute') };
}

const pad = (n: number) => String(n).padStart(2, '0');
const parse = (iso: string): Date | null => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** "1 Nov 2026" for an ISO date-time. */
export function formatDate(iso: string): string {
  const d = parse(iso);
  if (!d) return iso;
  const p = ukParts(d);
  return `${p.day} ${MONTHS[p.month - 1]} ${p.year}`;
}

/** "1 Nov 2026, 10:00" for an ISO date-time. */
export function formatDateTime(iso: string): string {
  const d = parse(iso);
  if (!d) return iso;
  const p = ukParts(d);
  return `${p.day} ${MONTHS[p.month - 1]} ${p.year}, ${pad(p.hour)}:${pad(p.minute)}`;
}

/** "10:00" (UK time). */
export function formatTime(d: Date): string {
  const p = ukParts(d);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "1 Feb 1950" for a calendar date (YYYY-MM-DD): no time-zone shift. */
export function formatBirthDate(isoDate: string): string {
  const m = DATE_ONLY.exec(isoDate);
  if (!m) return isoDate;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** Whole years between a birth date (YYYY-MM-DD) and `now`, on the UK calendar. */
export function ageInYears(birthDate: string, now: Date): number | null {
  const months = ageInMonths(birthDate, now);
  return months === null ? null : Math.floor(months / 12);
}

function ageInMonths(birthDate: string, now: Date): number | null {
  const m = DATE_ONLY.exec(birthDate);
  if (!m) return null;
  const today = ukParts(now);
  let months = (today.year - Number(m[1])) * 12 + (today.month - Number(m[2]));
  if (today.day < Number(m[3])) months--;
  return months < 0 ? null : months;
}

/** "76 y" from two years up, "8 mo" below: how clinicians write age in a banner. */
export function formatAge(birthDate: string, now: Date): string {
  const months = ageInMonths(birthDate, now);
  if (months === null) return 'age unknown';
  return months >= 24 ? `${Math.floor(months / 12)} y` : `${months} mo`;
}

/** "25 min", "3 h", "2 d 4 h": a duration for due-time text. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h`;
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest ? `${days} d ${rest} h` : `${days} d`;
}
