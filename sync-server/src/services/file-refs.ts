/**
 * Which files each loaded discussion has and which of them its messages refer to. Fed by the
 * DocManager's observer hooks (loaded, committed, unloaded), like the sidebar feed.
 *
 * - The update rules need, synchronously, the files uploaded to the discussion (`foreign_file`):
 *   `context(docId)` reads them once per loaded document (uploads made meanwhile are added by
 *   `added`, so nothing is lost to a read in flight) and answers a RuleContext. `added` is called
 *   only on the node that took the upload: with several nodes, another node holding the
 *   discussion learns of the file from storage, when a check finds an attachment it does not
 *   know (`context(docId, { fresh: true })`, the connection's second try before refusing).
 * - Each message's files are counted from every change's old and new values; when a commit
 *   leaves a file with no message referring to it (deleted, or edited without it), `release` is
 *   called with it: the file service removes it, and its bytes if nothing else shares them.
 * - A file removed (a release here, on another node, or a retention purge) is forgotten by every
 *   node holding the discussion (`removed` -> `announce`, the broker's `files-removed` control
 *   message -> `forget`), and never taken back from storage by a later read (`gone`), so
 *   referring to it again is refused wherever the client is connected.
 */
import type * as Y from 'yjs';
import { filesOf, messagesMap, type FileRef, type MessageRecord, type RuleContext } from '@palabre/shared';

interface Tracked {
  files: Map<string, Omit<FileRef, 'id'>>;
  ready: Promise<void> | null;
  refs: Map<string, number>;
  released: Set<string>;
  /** Released or removed: never added back by a read of storage that began before the removal. */
  gone: Set<string>;
  stop: () => void;
}

export class FileRefs {
  private readonly docs = new Map<string, Tracked>();

  constructor(
    private readonly filesOf: (docId: string) => Promise<FileRef[]>,
    private readonly release: (docId: string, fileIds: string[]) => Promise<void>,
    /** Tell every node (this one included) that these files are gone: they call `forget`. */
    private readonly announce: (docId: string, fileIds: string[]) => void = (docId, fileIds) =>
      this.forget(docId, fileIds),
  ) {}

  loaded(docId: string, doc: Y.Doc): void {
    this.docs.get(docId)?.stop();
    const map = messagesMap(doc);
    const t: Tracked = {
      files: new Map(),
      ready: null,
      refs: new Map(),
      released: new Set(),
      gone: new Set(),
      stop: () => {},
    };
    for (const m of map.values()) for (const f of filesOf(m)) count(t, f.id, 1);
    t.released.clear();
    const observer = (event: Y.YMapEvent<MessageRecord>) => {
      for (const [key, change] of event.changes.keys) {
        for (const f of filesOf(change.oldValue)) count(t, f.id, -1);
        for (const f of filesOf(map.get(key))) count(t, f.id, 1);
      }
    };
    map.observe(observer);
    t.stop = () => map.unobserve(observer);
    this.docs.set(docId, t);
  }

  unloaded(docId: string): void {
    this.docs.get(docId)?.stop();
    this.docs.delete(docId);
  }

  committed(docId: string): void {
    const t = this.docs.get(docId);
    if (!t || t.released.size === 0) return;
    // Counted again: a file released and referred to again in one batch stays.
    const ids = [...t.released].filter((id) => !t.refs.get(id));
    t.released.clear();
    if (ids.length === 0) return;
    this.forget(docId, ids); // referring to them again is refused from now on
    void this.release(docId, ids);
  }

  /** A file was uploaded to a discussion: from now on its messages may refer to it. */
  added(docId: string, file: FileRef): void {
    const { id, ...meta } = file;
    this.docs.get(docId)?.files.set(id, meta);
  }

  /** The file service removed these files of a discussion (rows deleted): every node forgets them. */
  removed(docId: string, fileIds: string[]): void {
    if (fileIds.length > 0) this.announce(docId, fileIds);
  }

  /** These files of a discussion are gone (removed here or on another node): refused from now on. */
  forget(docId: string, fileIds: string[]): void {
    const t = this.docs.get(docId);
    if (!t) return;
    for (const id of fileIds) {
      t.files.delete(id);
      t.gone.add(id);
    }
  }

  /**
   * What the update rules need to check an update to this (loaded) document. `fresh`: read the
   * discussion's files from storage again first (a file uploaded through another node since the
   * last read); asked only after a check found an attachment it did not know, so rarely.
   */
  async context(docId: string, options: { fresh?: boolean } = {}): Promise<RuleContext> {
    const t = this.docs.get(docId);
    if (!t) return {};
    t.ready ??= this.read(docId, t);
    await t.ready;
    if (options.fresh) await this.read(docId, t);
    return { fileOf: (id) => t.files.get(id) ?? null };
  }

  private async read(docId: string, t: Tracked): Promise<void> {
    const rows = await this.filesOf(docId);
    for (const { id, ...meta } of rows) if (!t.files.has(id) && !t.gone.has(id)) t.files.set(id, meta);
  }
}

function count(t: Tracked, fileId: string, delta: number): void {
  const n = (t.refs.get(fileId) ?? 0) + delta;
  if (n > 0) t.refs.set(fileId, n);
  else {
    t.refs.delete(fileId);
    t.released.add(fileId);
  }
}
