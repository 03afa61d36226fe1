/**
 * The search box's little language: words, plus filters typed in French or English.
 *
 *   de:nom      from:nom     messages by a person (name or username, start of a word is enough)
 *   dans:nom    in:nom       messages of a discussion (its title or a participant's name)
 *   a:fichier   has:file     messages with a file
 *   a:epingle   has:pin      pinned messages
 *   avant:AAAA-MM-JJ  before:YYYY-MM-DD   written before that day (local time)
 *   apres:AAAA-MM-JJ  after:YYYY-MM-DD    written after that day
 *
 * Values with spaces are quoted: de:"François Dupont". Keys and values ignore case and accents
 * (« après: », « a:épinglé »). A filter whose value is not understood is kept as words, so a
 * message containing « a:b » can still be found.
 */
import { foldTerm } from './fold.js';

export interface ParsedQuery {
  /** The words to search for (filters removed). */
  text: string;
  /** de:/from: values, as typed. */
  from: string[];
  /** dans:/in: values, as typed. */
  in: string[];
  hasFile: boolean;
  hasPin: boolean;
  /** Only messages with ts < before (start of the given day). */
  before: number | null;
  /** Only messages with ts >= after (start of the day after the given day). */
  after: number | null;
}

const KEYS: Record<string, 'from' | 'in' | 'has' | 'before' | 'after'> = {
  de: 'from',
  from: 'from',
  dans: 'in',
  in: 'in',
  a: 'has',
  has: 'has',
  avant: 'before',
  before: 'before',
  apres: 'after',
  after: 'after',
};

const HAS_FILE = new Set(['fichier', 'fichiers', 'file', 'files', 'pj', 'attachment']);
const HAS_PIN = new Set(['epingle', 'epingles', 'epinglee', 'epinglees', 'pin', 'pins', 'pinned']);

/** key:value or key:"quoted value"; the key is one run of letters (accents allowed). */
const FILTER = /(^|\s)([\p{L}]+):(?:"([^"]*)"?|(\S*))/gu;

export function emptyQuery(): ParsedQuery {
  return { text: '', from: [], in: [], hasFile: false, hasPin: false, before: null, after: null };
}

export function parseQuery(input: string): ParsedQuery {
  const q = emptyQuery();
  const text = input.replace(
    FILTER,
    (whole, space: string, rawKey: string, quoted?: string, bare?: string) => {
      const key = KEYS[foldTerm(rawKey)];
      const value = (quoted ?? bare ?? '').trim();
      if (!key) return whole;
      // A key still being typed (« de: ») filters nothing yet and is not searched either.
      if (value === '') return space;
      switch (key) {
        case 'from':
          q.from.push(value);
          return space;
        case 'in':
          q.in.push(value);
          return space;
        case 'has': {
          const v = foldTerm(value);
          if (HAS_FILE.has(v)) q.hasFile = true;
          else if (HAS_PIN.has(v)) q.hasPin = true;
          else return whole;
          return space;
        }
        case 'before':
        case 'after': {
          const day = parseDay(value);
          if (day === null) return whole;
          if (key === 'before') q.before = q.before === null ? day : Math.min(q.before, day);
          else {
            const next = nextDay(value);
            q.after = q.after === null ? next : Math.max(q.after, next);
          }
          return space;
        }
      }
    },
  );
  q.text = text.replace(/\s+/g, ' ').trim() + (/\s$/.test(input) && text.trim() ? ' ' : '');
  return q;
}

/** Midnight (local time) starting AAAA-MM-JJ, or null when it is not a real date. */
export function parseDay(value: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date.getTime();
}

function nextDay(value: string): number {
  const [y, mo, d] = value.split('-').map(Number);
  return new Date(y, mo - 1, d + 1).getTime();
}

/** True when the query asks for something (words or at least one filter). */
export function isActive(q: ParsedQuery): boolean {
  return (
    q.text.trim() !== '' ||
    q.from.length > 0 ||
    q.in.length > 0 ||
    q.hasFile ||
    q.hasPin ||
    q.before !== null ||
    q.after !== null
  );
}

export interface NamedUser {
  id: string;
  name: string;
  username?: string;
}

export interface NamedDiscussion {
  id: string;
  /** The title, or for a direct discussion the other person's name. */
  title: string;
  /** Participants' display names. */
  members: string[];
}

/** True when every word of `value` starts a word of one of `names` (accents and case ignored). */
export function nameMatches(value: string, names: string[]): boolean {
  const wanted = foldTerm(value)
    .split(/[\s.'’_-]+/)
    .filter(Boolean);
  if (wanted.length === 0) return false;
  const have = names.flatMap((n) =>
    foldTerm(n)
      .split(/[\s.'’_-]+/)
      .filter(Boolean),
  );
  return wanted.every((w) => have.some((h) => h.startsWith(w)));
}

/**
 * The user and discussion ids the filters designate. `undefined` means "not filtered"; an empty
 * set means the filter matches nobody (so no message).
 */
export function resolveFilters(
  q: ParsedQuery,
  users: NamedUser[],
  discussions: NamedDiscussion[],
): { authors?: Set<string>; discussions?: Set<string> } {
  const out: { authors?: Set<string>; discussions?: Set<string> } = {};
  if (q.from.length > 0) {
    out.authors = new Set(
      users
        .filter((u) => q.from.some((v) => nameMatches(v, [u.name, ...(u.username ? [u.username] : [])])))
        .map((u) => u.id),
    );
  }
  if (q.in.length > 0) {
    out.discussions = new Set(
      discussions.filter((d) => q.in.some((v) => nameMatches(v, [d.title, ...d.members]))).map((d) => d.id),
    );
  }
  return out;
}
