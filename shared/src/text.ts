/** Text helpers shared by the contact picker, the sidebar filter and search. */

/** The combining diacritical mark blocks (what NFD splits accents into). */
// eslint-disable-next-line no-misleading-character-class -- ranges of lone combining marks, on purpose
const COMBINING = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

/** Ligatures NFD leaves whole, spelled out. */
const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ﬁ: 'fi', ﬂ: 'fl' };

/**
 * THE fold (the contact picker, the sidebar filter, search's index and queries all use it):
 * lower case, accents removed (NFD then combining marks dropped), ligatures spelled out, so
 * "francois" matches « François », "ELODIE" « Élodie » and "coeur" « cœur ».
 */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING, '')
    .replace(/[œæßﬁﬂ]/g, (c) => LIGATURES[c] ?? c);
}

/** True when every whitespace-separated word of the query starts a word of, or occurs in, the text. */
export function matchesQuery(text: string, query: string): boolean {
  const haystack = fold(text);
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/**
 * The people whose name or username matches the query (see matchesQuery), in their order; all
 * of them for a blank query. The contact picker, the members panel and the admin's list use it.
 */
export function findPeople<T extends { displayName: string; username: string }>(
  people: readonly T[],
  query: string,
): T[] {
  if (!query.trim()) return [...people];
  return people.filter((person) => matchesQuery(`${person.displayName} ${person.username}`, query));
}

/** A one-line preview of a message for sidebars and notifications. */
export function preview(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
