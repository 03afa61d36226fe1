/**
 * What the search index knows about one discussion: its messages (to filter, sort and cut
 * snippets without opening the document), its pins, and what it covers (the document state
 * it was read from). Persisted as one record per discussion, and later one per history
 * segment: each unit is updated, saved, loaded and forgotten on its own. The words themselves
 * live in SearchIndex's MiniSearch index, shared by all units so a query is one lookup.
 */

/** Bumped whenever indexing changes (tokenizer, stop words, record layout): stored indexes are rebuilt. */
export const SEARCH_FORMAT = 3;

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
  /** MiniSearch's short id of this version (-1 while not in MiniSearch). */
  short: number;
}

/** No short id, in a record's `short` column. */
const NO_SHORT = 0xffffffff;

/** The document state a unit was built from. */
export interface Coverage {
  /** The Yjs state vector (base64) of the document the entries were read from. */
  sv: string;
  /** The server version of the discussion that document contained (see the local cache). */
  v: number;
}

/**
 * What is persisted for one discussion (one IndexedDB record), in columns: a few strings and
 * typed arrays load far faster than an array and a string per message.
 */
export interface UnitRecord {
  format: number;
  id: string;
  covered: Coverage | null;
  /** Message ids, joined by '\n'. */
  ids: string;
  /** Distinct authors; `author[i]` indexes this list. */
  authors: string[];
  author: Uint32Array;
  ts: Float64Array;
  editedAt: Float64Array;
  seq: Float64Array;
  /** MiniSearch's short id of each (NO_SHORT: none): pairs them with the snapshot's documents. */
  short: Uint32Array;
  /** The texts (one string each: joined, one « œ » would make them all two bytes a letter). */
  texts: string[];
  /** Messages with files: [index, ids, names]. */
  files: [number, string[], string[]][];
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
    short: -1,
  };
}

export interface UnitStats {
  minTs: number;
  maxTs: number;
  authors: Set<string>;
  files: number;
}

export class DiscussionIndex {
  /** The entries as loaded, until the first lookup by id builds `#byId` (then null). */
  #rows: Entry[] | null = null;
  #byId: Map<string, Entry> | null = new Map();
  /** Deleted since the last snapshot, with the seq of the deletion. */
  readonly deleted = new Map<string, number>();
  pins: ReadonlySet<string> = new Set();
  covered: Coverage | null = null;
  /** Changed since last persisted. */
  dirty = false;
  #stats: UnitStats | null = null;

  constructor(readonly id: string) {}

  /**
   * The messages by id. A loaded unit builds this map only when first asked (a change, a
   * lookup): a cold start then builds none of them (see `all` and `count`).
   */
  get messages(): Map<string, Entry> {
    if (!this.#byId) {
      const map = new Map<string, Entry>();
      for (const m of this.#rows!) map.set(m.id, m);
      this.#byId = map;
      this.#rows = null;
    }
    return this.#byId;
  }

  /** Every entry, in order, without building the map by id. */
  all(): Iterable<Entry> {
    return this.#rows ?? this.#byId!.values();
  }

  get count(): number {
    return this.#rows ? this.#rows.length : this.#byId!.size;
  }

  /** Oldest and newest message times, authors and messages with files: to skip the whole unit. */
  get stats(): UnitStats {
    if (!this.#stats) {
      let minTs = Infinity;
      let maxTs = -Infinity;
      let files = 0;
      const authors = new Set<string>();
      for (const m of this.all()) {
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
    const n = this.count;
    const ids: string[] = [];
    const authors = new Map<string, number>();
    const author = new Uint32Array(n);
    const ts = new Float64Array(n);
    const editedAt = new Float64Array(n);
    const seq = new Float64Array(n);
    const short = new Uint32Array(n);
    const texts: string[] = [];
    const files: [number, string[], string[]][] = [];
    let i = 0;
    for (const m of this.all()) {
      ids.push(m.id);
      let a = authors.get(m.author);
      if (a === undefined) authors.set(m.author, (a = authors.size));
      author[i] = a;
      ts[i] = m.ts;
      editedAt[i] = m.editedAt;
      seq[i] = m.seq;
      short[i] = m.short < 0 ? NO_SHORT : m.short;
      texts.push(m.text);
      if (m.files.length > 0 || m.fileNames.length > 0) files.push([i, m.files, m.fileNames]);
      i++;
    }
    return {
      format: SEARCH_FORMAT,
      id: this.id,
      covered: this.covered,
      ids: ids.join('\n'),
      authors: [...authors.keys()],
      author,
      ts,
      editedAt,
      seq,
      short,
      texts,
      files,
      deleted: [...this.deleted],
      pins: [...this.pins],
    };
  }

  /** A stored unit, or null if it was written by another format (then it is rebuilt). */
  static fromRecord(record: UnitRecord): DiscussionIndex | null {
    if (record?.format !== SEARCH_FORMAT) return null;
    const unit = new DiscussionIndex(record.id);
    const ids = record.ids === '' ? [] : record.ids.split('\n');
    const files = new Map(record.files.map(([i, f, names]) => [i, [f, names] as const]));
    const none = Object.freeze([]) as unknown as string[];
    const rows = new Array<Entry>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const attached = files.get(i);
      const short = record.short[i];
      rows[i] = {
        id: ids[i],
        author: record.authors[record.author[i]],
        ts: record.ts[i],
        text: record.texts[i],
        editedAt: record.editedAt[i],
        files: attached?.[0] ?? none,
        fileNames: attached?.[1] ?? none,
        seq: record.seq[i],
        short: short === NO_SHORT ? -1 : short,
      };
    }
    unit.#rows = rows;
    unit.#byId = null;
    for (const [id, seq] of record.deleted) unit.deleted.set(id, seq);
    unit.pins = new Set(record.pins);
    unit.covered = record.covered;
    return unit;
  }
}
