/**
 * The composer's side of mentions. The textarea shows `@Claire Martin`; a mention picked from the
 * list is remembered (label -> user id) and turned into its stored form `<@id>` when the message
 * is sent. Editing a message goes the other way. Pure functions: no DOM, no runes.
 */
import { mentionToken, splitMentions } from '@palabre/shared/discussion/mentions';

export interface Pick {
  /** What the textarea shows, without the @: « Claire Martin ». */
  label: string;
  userId: string;
}

/** The « @que » being typed just before the caret, if any: where its @ is, and the query. */
export function activeQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s(])@([^\s@<>]{0,30})$/u.exec(before);
  if (!match) return null;
  return { start: caret - match[2].length - 1, query: match[2] };
}

/** Replace the typed « @que » by « @Label  » and put the caret after it. */
export function insertPick(text: string, start: number, caret: number, label: string) {
  const inserted = `@${label} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text to store: each picked « @Label » still present becomes `<@id>`. */
export function encodeDraft(draft: string, picks: readonly Pick[]): string {
  let out = draft;
  // Longest labels first, so « @Claire Martin » wins over « @Claire ».
  for (const pick of [...picks].sort((a, b) => b.label.length - a.label.length)) {
    const pattern = new RegExp(`@${escape(pick.label)}(?![\\p{L}\\p{N}])`, 'gu');
    out = out.replace(pattern, mentionToken(pick.userId));
  }
  return out;
}

/** A stored text back into a draft (editing): tokens shown as « @Name », remembered as picks. */
export function decodeToDraft(
  text: string,
  nameOf: (userId: string) => string,
): { draft: string; picks: Pick[] } {
  const picks: Pick[] = [];
  let draft = '';
  for (const segment of splitMentions(text)) {
    if (segment.kind === 'text') draft += segment.text;
    else {
      const label = nameOf(segment.userId);
      if (!picks.some((p) => p.userId === segment.userId)) picks.push({ label, userId: segment.userId });
      draft += `@${label}`;
    }
  }
  return { draft, picks };
}

/** What a key does while the « @ » list is open: move, pick (Enter or Tab), close, or nothing. */
export function menuKey(event: {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
}): 'down' | 'up' | 'choose' | 'close' | null {
  if (event.key === 'ArrowDown') return 'down';
  if (event.key === 'ArrowUp') return 'up';
  // isComposing: Enter that confirms an IME composition is not a choice.
  if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.isComposing)
    return 'choose';
  if (event.key === 'Escape') return 'close';
  return null;
}
