/**
 * Deleted means gone, in the browser too: after an edit or a delete (mine or received), the
 * local copy is rewritten as one snapshot of the document, which no longer holds the old text.
 * Once per burst, a moment after it; and at once when the document closes with one still due.
 */
import * as Y from 'yjs';
import { messagesMap, removesText } from '@palabre/shared/discussion/index';

/** After an edit or a delete, the local copy is compacted this long after (a burst, once). */
export const COMPACT_AFTER_MS = 300;

export class Compaction {
  #timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param compact rewrites the local copy as one snapshot
   * @param live whether compacting still makes sense (the document is current and loaded)
   */
  constructor(
    doc: Y.Doc,
    private readonly compact: () => Promise<void>,
    private readonly live: () => boolean,
  ) {
    messagesMap(doc).observe((event) => {
      if (!removesText(event) || this.#timer) return;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        if (this.live()) void this.compact();
      }, COMPACT_AFTER_MS);
    });
  }

  /** The document closes: a compaction still due runs now, or the deleted text would stay. */
  async flush(): Promise<void> {
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    if (this.live()) await this.compact();
  }
}
