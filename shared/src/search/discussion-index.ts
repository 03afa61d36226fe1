/**
 * What the search index knows about one discussion: its messages (to filter, sort and cut
 * snippets without opening the document), its pins, and what it covers (the document state
 * it was read from). Persisted as one record per discussion, and later one per history
 * segment: each unit is updated, saved, loaded and forgotten on its own. The words themselves
 * live in SearchIndex's MiniSearch index, shared by all units so a query is one lookup.
 */

/** Bumped whenever indexing changes (tokenizer, stop words, record layout): stored indexes are rebuilt. */
export const SEARCH_FORMAT = 1;

/** A message as the index takes it. */
export interface SearchMessage {
  id: string;
  author: string;
  text: string;
  ts: number;
  /** Time of the last edit, if any. */
  editedAt?: number;
  /** Ids of attached files. */
  files?: string[];
  /** Names of attached files (searchable). */
  fileNames?: string[];
}

/** An indexed message: `seq` orders every change the index took in, across discussions. */
export interface Entry extends Required<SearchMessage> {
  seq: number;
}

/** The document state a unit was built from. */
export interface Coverage {
  /** The Yjs state vector (base64) of the document the entries were read from. */
  sv: string;
  /** The server version of the discussion that document contained (see the local cache). */
  v: number;
}

/** What is persisted for one discussion (one IndexedDB record). */
export interface UnitRecord {
  format: number;
  id: string;
  covered: Coverage | null;
  /** [id, author, ts, text, editedAt, files, fileNames, seq] per message. */
  messages: [string, string, number, string, number, string[], string[], number][];
  /** Messages deleted since the last snapshot: [id, seq]. */
  deleted: [string, number][];
  pins: string[];
}

export function sameEntry(a: SearchMessage, b: SearchMessage): boolean {
  return (
    a.ts === b.ts &&
    a.author === b.author &&
    a.text === b.text &&
    (a.editedAt ?? 0) === (b.editedAt ?? 0) &&
    (a.files ?? []).join('\n') === (b.files ?? []).join('\n') &&
    (a.fileNames ?? []).join('\n') === (b.fileNames ?? []).join('\n')
  );
}

export function toEntry(m: SearchMessage, seq: number): Entry {
  return {
    id: m.id,
    author: m.author,
    text: m.text,
    ts: m.ts,
    editedAt: m.editedAt ?? 0,
    files: m.files ?? [],
    fileNames: m.fileNames ?? [],
    seq,
  };
}

export interface UnitStats {
  minTs: number;
  maxTs: number;
  authors: Set<string>;
  files: number;
}

export class DiscussionIndex {
  readonly messages = new Map<string, Entry>();
  /** Deleted since the last snapshot, with the seq of the deletion. */
  readonly deleted = new Map<string, number>();
  pins: ReadonlySet<string> = new Set();
  covered: Coverage | null = null;
  /** Changed since last persisted. */
  dirty = false;
  #stats: UnitStats | null = null;

  constructor(readonly id: string) {}

  /** Oldest and newest message times, authors and messages with files: to skip the whole unit. */
  get stats(): UnitStats {
    if (!this.#stats) {
      let minTs = Infinity;
      let maxTs = -Infinity;
      let files = 0;
      const authors = new Set<string>();
      for (const m of this.messages.values()) {
        if (m.ts < minTs) minTs = m.ts;
        if (m.ts > maxTs) maxTs = m.ts;
        if (m.files.length > 0) files++;
        authors.add(m.author);
      }
      this.#stats = { minTs, maxTs, authors, files };
    }
    return this.#stats;
  }

  changed(): void {
    this.#stats = null;
    this.dirty = true;
  }

  setPins(ids: Iterable<string>): void {
    const next = new Set(ids);
    if (next.size === this.pins.size && [...next].every((id) => this.pins.has(id))) return;
    this.pins = next;
    this.dirty = true;
  }

  setCovered(covered: Coverage): void {
    if (this.covered?.sv === covered.sv && this.covered.v === covered.v) return;
    this.covered = covered;
    this.dirty = true;
  }

  toRecord(): UnitRecord {
    return {
      format: SEARCH_FORMAT,
      id: this.id,
      covered: this.covered,
      messages: [...this.messages.values()].map((m) => [
        m.id,
        m.author,
        m.ts,
        m.text,
        m.editedAt,
        m.files,
        m.fileNames,
        m.seq,
      ]),
      deleted: [...this.deleted],
      pins: [...this.pins],
    };
  }

  /** A stored unit, or null if it was written by another format (then it is rebuilt). */
  static fromRecord(record: UnitRecord): DiscussionIndex | null {
    if (record?.format !== SEARCH_FORMAT) return null;
    const unit = new DiscussionIndex(record.id);
    for (const [id, author, ts, text, editedAt, files, fileNames, seq] of record.messages) {
      unit.messages.set(id, { id, author, ts, text, editedAt, files, fileNames, seq });
    }
    for (const [id, seq] of record.deleted) unit.deleted.set(id, seq);
    unit.pins = new Set(record.pins);
    unit.covered = record.covered;
    return unit;
  }
}
