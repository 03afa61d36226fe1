/**
 * @mentions. A mention is stored as a user id, twice: as a token `<@id>` at its place in the
 * text (so it renders with the person's *current* name), and in the message's `mentions` list
 * (so counting mentions never parses text). The server checks that both agree. `<@all>` is
 * « @tous »: every member but the author, allowed to owners and moderators of a group only.
 */
import { Role, DiscussionKind } from './schema.js';

export const MENTION_ALL = 'all';

const TOKEN = /<@([0-9a-z]{1,40})>/g;

export function mentionToken(userId: string): string {
  return `<@${userId}>`;
}

/** The distinct mentioned ids of a text, in order of first appearance. */
export function parseMentions(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(TOKEN)) if (!out.includes(match[1])) out.push(match[1]);
  return out;
}

export type TextSegment = { kind: 'text'; text: string } | { kind: 'mention'; userId: string };

/** A text cut into plain runs and mentions, for rendering (never as HTML). */
export function splitMentions(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let at = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    if (index > at) out.push({ kind: 'text', text: text.slice(at, index) });
    out.push({ kind: 'mention', userId: match[1] });
    at = index + match[0].length;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
  return out;
}

/** Does a message with this author and mention list mention userId? */
export function mentions(record: { author: string; mentions?: readonly string[] }, userId: string): boolean {
  if (record.author === userId || !record.mentions) return false;
  return record.mentions.includes(userId) || record.mentions.includes(MENTION_ALL);
}

/** « @tous » is for owners and moderators of a group. */
export function mayMentionAll(role: Role | null, kind: DiscussionKind | null): boolean {
  return kind === DiscussionKind.Group && (role === Role.Owner || role === Role.Moderator);
}

/** Lower case without accents: « Élodie » matches « elo ». */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export interface MentionCandidate {
  id: string;
  name: string;
  username?: string;
}

/**
 * The candidates whose name (any word of it) or username starts with the query, accents and
 * case ignored; those whose whole name starts with it first, then alphabetical.
 */
export function matchCandidates<T extends MentionCandidate>(query: string, candidates: readonly T[]): T[] {
  const q = foldForSearch(query.trim());
  const scored: { c: T; rank: number; name: string }[] = [];
  for (const c of candidates) {
    const name = foldForSearch(c.name);
    const user = foldForSearch(c.username ?? '');
    let rank = -1;
    if (q === '' || name.startsWith(q)) rank = 0;
    else if (user.startsWith(q)) rank = 1;
    else if (name.split(/[\s.'-]+/).some((word) => word.startsWith(q))) rank = 2;
    if (rank >= 0) scored.push({ c, rank, name });
  }
  scored.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
  return scored.map((s) => s.c);
}

/** A text with every mention written `@Name` (previews, notifications, the composer's draft). */
export function mentionsAsNames(text: string, nameOf: (userId: string) => string): string {
  return text.replace(TOKEN, (_, id: string) => `@${nameOf(id)}`);
}
