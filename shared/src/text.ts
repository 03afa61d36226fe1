/** Text helpers shared by the contact picker, the sidebar filter and search. */

/** Lower-case and strip diacritics, so "francois" matches "François" and "ÉLODIE" matches "elodie". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** True when every whitespace-separated word of the query starts a word of, or occurs in, the text. */
export function matchesQuery(text: string, query: string): boolean {
  const haystack = fold(text);
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** A one-line preview of a message for sidebars and notifications. */
export function preview(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
