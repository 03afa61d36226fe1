/** Dates, names and avatars as the UI shows them. Pure functions; the locale is passed in. */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Formatters are costly to build (a thread shows hundreds of times): one per locale and style. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(intl: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${intl}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(intl, options)));
  return format;
}

const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const FULL: Intl.DateTimeFormatOptions = { dateStyle: 'full', timeStyle: 'short', hourCycle: 'h23' };

function startOfDay(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole calendar days between two instants (0 = same day, 1 = ts was yesterday). */
export function daysAgo(ts: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(ts)) / DAY_MS);
}

/** « 14:05 » */
export function formatTime(ts: number, intl: string): string {
  return dateFormat(intl, TIME).format(ts);
}

/** « mardi 12 mars 2025 à 14:05 »: for title attributes. */
export function formatFull(ts: number, intl: string): string {
  return dateFormat(intl, FULL).format(ts);
}

/** Sidebar time: HH:mm today, the yesterday label, then a short date (with the year if not this one). */
export function formatListTime(ts: number, now: number, intl: string, yesterday: string): string {
  const days = daysAgo(ts, now);
  if (days <= 0) return formatTime(ts, intl);
  if (days === 1) return yesterday;
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return dateFormat(
    intl,
    sameYear ? { day: 'numeric', month: 'short' } : { day: '2-digit', month: '2-digit', year: 'numeric' },
  ).format(ts);
}

/** Day separator text: today and yesterday labels, else « mardi 12 mars » (with the year if needed). */
export function formatDay(
  ts: number,
  now: number,
  intl: string,
  labels: { today: string; yesterday: string },
) {
  const days = daysAgo(ts, now);
  if (days === 0) return labels.today;
  if (days === 1) return labels.yesterday;
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  const text = dateFormat(intl, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ts);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function isoDate(ts: number): string {
  return new Date(ts).toISOString();
}

/** The local calendar day of ts as AAAA-MM-JJ (the search filters' date format). */
export function localDay(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** « Élodie » from « Élodie Martin ». */
export function firstName(displayName: string): string {
  return displayName.trim().split(/\s+/)[0] ?? displayName;
}

/** « ÉM » from « Élodie Martin », « A » from « alice ». */
export function initials(displayName: string): string {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters
    .map((word) => [...word][0] ?? '')
    .join('')
    .toUpperCase();
}

/** Avatar backgrounds: all dark enough for white initials (WCAG AA at the avatar's size). */
const AVATAR_COLOURS = [
  '#0f766e', // teal
  '#1d4ed8', // blue
  '#7c3aed', // violet
  '#be185d', // pink
  '#b45309', // amber
  '#15803d', // green
  '#b91c1c', // red
  '#0369a1', // sky
  '#4d7c0f', // olive
  '#475569', // slate
] as const;

/** The same colour for a user everywhere and on every device (FNV-1a of the id). */
export function avatarColour(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return AVATAR_COLOURS[(hash >>> 0) % AVATAR_COLOURS.length];
}

const listFormats = new Map<string, Intl.ListFormat>();

/** « Alice, Bob et Chloé » in the UI's language. */
export function joinNames(names: string[], intl: string): string {
  let format = listFormats.get(intl);
  if (!format)
    listFormats.set(intl, (format = new Intl.ListFormat(intl, { style: 'long', type: 'conjunction' })));
  return format.format(names);
}
