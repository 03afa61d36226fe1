/**
 * Search over every discussion the user can read.
 *
 * Words live in ONE MiniSearch index for all discussions (a query is one lookup, one pass of
 * prefix and typo expansion, whatever the number of discussions); everything else lives per
 * discussion in a DiscussionIndex unit (messages, pins, what it covers), updated, saved,
 * loaded and forgotten on its own.
 *
 * Persistence: each unit is one small record, rewritten when it changes; the MiniSearch index
 * is one snapshot, rewritten rarely (see `snapshotDue`), holding `seq`, the last change it
 * includes. Every change gets the next `seq`, so a cold start loads the snapshot and indexes
 * only the messages (and deletions) whose seq is newer: never a rebuild, however stale the
 * snapshot. A removed discussion's words leave the snapshot at once (`remove` makes it due).
 *
 * Filters first drop whole units (discussion, dates, authors, pins, files: filters-only
 * queries never touch the word index), then exclude messages before they are scored
 * (MiniSearch skips a document whose boost is 0). Results are sorted by relevance weighted by
 * recency: the best recent messages first.
 */
import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import { indexTerm, queryTerms, tokenize } from './fold.js';
import {
  DiscussionIndex,
  SEARCH_FORMAT,
  sameEntry,
  toEntry,
  type Coverage,
  type Entry,
  type SearchMessage,
  type UnitRecord,
} from './discussion-index.js';
import { snippet, type SnippetPart } from './snippet.js';

export interface SearchFilters {
  authors?: ReadonlySet<string>;
  discussions?: ReadonlySet<string>;
  hasFile?: boolean;
  hasPin?: boolean;
  /** ts < before */
  before?: number | null;
  /** ts >= after */
  after?: number | null;
}

export interface SearchRequest {
  /** The words (filters already taken out, see parseQuery). */
  text: string;
  filters?: SearchFilters;
  limit?: number;
  /** For recency weighting (defaults to Date.now()). */
  now?: number;
}

export interface MessageHit {
  discussionId: string;
  messageId: string;
  author: string;
  ts: number;
  score: number;
  pinned: boolean;
  files: number;
  snippet: SnippetPart[];
}

/** The persisted MiniSearch index. */
export interface SnapshotRecord {
  format: number;
  /** The last change included. */
  seq: number;
  /** MiniSearch.toJSON(), serialized. */
  index: string;
  /** Message ids per discussion in the index (to drop a discussion whose unit is gone). */
  ids: Record<string, string[]>;
}

type Doc = { id: string; text: string; files: string };

export const MINISEARCH_OPTIONS: Options<Doc> = {
  fields: ['text', 'files'],
  tokenize,
  processTerm: indexTerm,
};

const DAY = 86_400_000;
/** Changes after which the snapshot is worth rewriting (a cold start then replays fewer). */
const SNAPSHOT_AFTER_CHANGES = 2_000;

/** Typos tolerated: none in short words, one from 4 letters, two from 7 (« reunoin »). */
export function fuzzyDistance(term: string): number {
  return term.length >= 7 ? 2 : term.length >= 4 ? 1 : 0;
}

/** Prefix matching from 3 letters: « ré » is too vague to be worth the time, « réu » is not. */
export function prefixOk(term: string): boolean {
  return term.length >= 3;
}

/** Recent messages weigh more: x2 today, x1.5 a week ago, barely more than x1 after months. */
function recency(ts: number, now: number): number {
  return 1 + 1 / (1 + Math.max(0, now - ts) / (7 * DAY));
}

const toDoc = (m: Entry): Doc => ({ id: m.id, text: m.text, files: m.fileNames.join(' ') });

export class SearchIndex {
  readonly units = new Map<string, DiscussionIndex>();
  #mini = new MiniSearch<Doc>(MINISEARCH_OPTIONS);
  /** message id -> its unit. */
  #where = new Map<string, DiscussionIndex>();
  /** The last change taken in. */
  seq = 0;
  /** The last change the persisted snapshot includes. */
  snapshotSeq = -1;
  /** A discussion was removed: its words must leave the persisted snapshot now. */
  #mustSnapshot = false;

  unit(discussionId: string): DiscussionIndex {
    let unit = this.units.get(discussionId);
    if (!unit) {
      unit = new DiscussionIndex(discussionId);
      this.units.set(discussionId, unit);
    }
    return unit;
  }

  /** Add or update a message; only an actual change touches the index. Returns whether it changed. */
  #upsert(unit: DiscussionIndex, m: SearchMessage): boolean {
    const old = unit.messages.get(m.id);
    if (old && sameEntry(old, m)) return false;
    const entry = toEntry(m, ++this.seq);
    if (old) this.#mini.remove(toDoc(old));
    else if (this.#mini.has(m.id)) this.#mini.discard(m.id);
    unit.messages.set(m.id, entry);
    unit.deleted.delete(m.id);
    this.#where.set(m.id, unit);
    this.#mini.add(toDoc(entry));
    unit.changed();
    return true;
  }

  /** Remove a deleted message: its words leave the index at once. */
  #delete(unit: DiscussionIndex, id: string): boolean {
    const old = unit.messages.get(id);
    if (!old) return false;
    this.#mini.remove(toDoc(old));
    unit.messages.delete(id);
    unit.deleted.set(id, ++this.seq);
    this.#where.delete(id);
    unit.changed();
    return true;
  }

  /** Apply a change of some messages (new, edited) and deletions. Returns how many changed. */
  apply(
    discussionId: string,
    change: { upserts?: SearchMessage[]; deletes?: string[]; pins?: Iterable<string>; covered?: Coverage },
  ): number {
    const unit = this.unit(discussionId);
    let changed = 0;
    for (const m of change.upserts ?? []) if (this.#upsert(unit, m)) changed++;
    for (const id of change.deletes ?? []) if (this.#delete(unit, id)) changed++;
    if (change.pins) unit.setPins(change.pins);
    if (change.covered) unit.setCovered(change.covered);
    return changed;
  }

  /**
   * Make a discussion's entries what its document says: new and changed messages (re)indexed,
   * those gone removed, unchanged ones not touched. Returns how many changed.
   */
  replace(
    discussionId: string,
    messages: Iterable<SearchMessage>,
    pins: Iterable<string>,
    covered?: Coverage,
  ): number {
    const unit = this.unit(discussionId);
    let changed = 0;
    const seen = new Set<string>();
    for (const m of messages) {
      seen.add(m.id);
      if (this.#upsert(unit, m)) changed++;
    }
    for (const id of [...unit.messages.keys()]) if (!seen.has(id) && this.#delete(unit, id)) changed++;
    unit.setPins(pins);
    if (covered) unit.setCovered(covered);
    return changed;
  }

  /** Forget a discussion entirely (the user left it or was removed): nothing of it remains. */
  remove(discussionId: string): void {
    const unit = this.units.get(discussionId);
    if (!unit) return;
    for (const m of unit.messages.values()) {
      this.#mini.remove(toDoc(m));
      this.#where.delete(m.id);
    }
    this.units.delete(discussionId);
    this.#mustSnapshot = true;
  }

  get size(): number {
    return this.#where.size;
  }

  // --- persistence ------------------------------------------------------------------------

  /** Whether the snapshot should be rewritten now (a removal, or many changes since). */
  get snapshotDue(): boolean {
    return this.#mustSnapshot || this.seq - this.snapshotSeq >= SNAPSHOT_AFTER_CHANGES;
  }

  /** Changes not in the persisted snapshot yet. */
  get unsnapshotted(): number {
    return this.seq - Math.max(0, this.snapshotSeq);
  }

  snapshot(): SnapshotRecord {
    const ids: Record<string, string[]> = {};
    for (const unit of this.units.values()) ids[unit.id] = [...unit.messages.keys()];
    return { format: SEARCH_FORMAT, seq: this.seq, index: JSON.stringify(this.#mini), ids };
  }

  /** The snapshot was stored: deletions it includes need not be remembered any more. */
  snapshotStored(record: SnapshotRecord): void {
    this.snapshotSeq = record.seq;
    this.#mustSnapshot = false;
    for (const unit of this.units.values()) {
      for (const [id, seq] of unit.deleted) {
        if (seq <= record.seq) {
          unit.deleted.delete(id);
          unit.dirty = true;
        }
      }
    }
  }

  /**
   * A cold start: the persisted snapshot (if of this format) and units, plus only what changed
   * after the snapshot. Returns the index and how many messages had to be indexed.
   */
  static restore(
    snapshot: SnapshotRecord | null,
    records: UnitRecord[],
  ): { index: SearchIndex; indexed: number } {
    const index = new SearchIndex();
    const usable = snapshot?.format === SEARCH_FORMAT ? snapshot : null;
    const since = usable ? usable.seq : -1;
    if (usable) {
      index.#mini = MiniSearch.loadJSON<Doc>(usable.index, MINISEARCH_OPTIONS);
      index.snapshotSeq = usable.seq;
      index.seq = usable.seq;
    }
    let indexed = 0;
    const mini = index.#mini;
    for (const record of records) {
      const unit = DiscussionIndex.fromRecord(record);
      if (!unit) continue;
      index.units.set(unit.id, unit);
      for (const m of unit.messages.values()) {
        index.#where.set(m.id, unit);
        if (m.seq > index.seq) index.seq = m.seq;
        if (m.seq > since || !mini.has(m.id)) {
          if (mini.has(m.id)) mini.discard(m.id);
          mini.add(toDoc(m));
          indexed++;
        }
      }
      for (const [id, seq] of unit.deleted) {
        if (seq > index.seq) index.seq = seq;
        if (seq > since && mini.has(id) && !unit.messages.has(id)) mini.discard(id);
      }
    }
    // Discussions in the snapshot whose unit is gone (removed before the snapshot was rewritten).
    for (const [unitId, ids] of Object.entries(usable?.ids ?? {})) {
      if (index.units.has(unitId)) continue;
      for (const id of ids) if (mini.has(id) && !index.#where.has(id)) mini.discard(id);
      index.#mustSnapshot = true;
    }
    return { index, indexed };
  }

  // --- search -----------------------------------------------------------------------------

  search(request: SearchRequest): MessageHit[] {
    const filters = request.filters ?? {};
    const limit = request.limit ?? 50;
    const now = request.now ?? Date.now();
    const terms = queryTerms(request.text);
    const before = filters.before ?? Infinity;
    const after = filters.after ?? -Infinity;
    const candidates = this.#candidates(filters, before, after);
    if (candidates.size === 0) return [];
    const filtered =
      !!filters.authors ||
      !!filters.hasFile ||
      !!filters.hasPin ||
      before !== Infinity ||
      after !== -Infinity ||
      !!filters.discussions;
    if (terms.length === 0 && !filtered) return [];

    const accept = (unit: DiscussionIndex | undefined, m: Entry | undefined): boolean =>
      !!unit &&
      !!m &&
      candidates.has(unit) &&
      m.ts < before &&
      m.ts >= after &&
      (!filters.authors || filters.authors.has(m.author)) &&
      (!filters.hasFile || m.files.length > 0) &&
      (!filters.hasPin || unit.pins.has(m.id));

    const found: { unit: DiscussionIndex; m: Entry; score: number; terms: string[] }[] = [];
    if (terms.length === 0) {
      // Filters only: the matching messages of the candidate units, most recent first.
      for (const unit of candidates)
        for (const m of unit.messages.values())
          if (accept(unit, m)) found.push({ unit, m, score: m.ts, terms: [] });
    } else {
      const results: SearchResult[] = this.#mini.search(terms.join(' '), {
        tokenize: (s) => s.split(' '),
        processTerm: (t) => t,
        combineWith: 'AND',
        prefix: prefixOk,
        fuzzy: fuzzyDistance,
        weights: { prefix: 0.6, fuzzy: 0.4 },
        // Filtered-out messages get 0: MiniSearch skips them before scoring.
        boostDocument: (id) => {
          const unit = this.#where.get(id as string);
          const m = unit?.messages.get(id as string);
          if (!unit || !m) return 0;
          if (filtered && !accept(unit, m)) return 0;
          return recency(m.ts, now);
        },
      });
      for (const r of results) {
        const unit = this.#where.get(r.id as string);
        const m = unit?.messages.get(r.id as string);
        if (unit && m) found.push({ unit, m, score: r.score, terms: r.terms });
      }
    }
    found.sort((a, b) => b.score - a.score || b.m.ts - a.m.ts);
    return found.slice(0, limit).map(({ unit, m, score, terms: matched }) => ({
      discussionId: unit.id,
      messageId: m.id,
      author: m.author,
      ts: m.ts,
      score,
      pinned: unit.pins.has(m.id),
      files: m.files.length,
      snippet: snippet(m.text, new Set(matched)),
    }));
  }

  /** Units that may hold a match: the discussion filter, then each unit's dates, authors, pins, files. */
  #candidates(filters: SearchFilters, before: number, after: number): Set<DiscussionIndex> {
    const out = new Set<DiscussionIndex>();
    const units = filters.discussions
      ? [...filters.discussions].map((id) => this.units.get(id)).filter((u) => u !== undefined)
      : this.units.values();
    for (const unit of units) {
      if (unit.messages.size === 0) continue;
      const stats = unit.stats;
      if (stats.minTs >= before || stats.maxTs < after) continue;
      if (filters.hasPin && unit.pins.size === 0) continue;
      if (filters.hasFile && stats.files === 0) continue;
      if (filters.authors && ![...filters.authors].some((a) => stats.authors.has(a))) continue;
      out.add(unit);
    }
    return out;
  }
}
