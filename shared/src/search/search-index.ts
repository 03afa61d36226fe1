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
 * queries never touch the word index), then exclude messages before they are scored. Results
 * are ranked by relevance weighted by recency: the best recent messages first. Queries run in
 * engine.ts (exact words, the word being typed as a prefix, typos only when that finds too
 * few, AND from the rarest term, top-k); the snapshot is packed by snapshot.ts.
 */
import MiniSearch from 'minisearch';
import { queryPlan } from './fold.js';
import { expand, internals, matchedTerms, run, type Expansion, type MiniInternals } from './engine.js';
import { LazyIdMap } from './id-maps.js';
import { packIndex, unpackIndex } from './snapshot.js';
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
import { snippet } from './snippet.js';
import { candidateUnits, latestMatches } from './candidates.js';
import {
  MINISEARCH_OPTIONS,
  SNAPSHOT_AFTER_CHANGES,
  fuzzyDistance,
  recency,
  toDoc,
  type Doc,
  type MessageHit,
  type SearchRequest,
  type SnapshotRecord,
} from './search-model.js';

export type { MessageHit, SearchFilters, SearchRequest, SnapshotRecord } from './search-model.js';

export class SearchIndex {
  readonly units = new Map<string, DiscussionIndex>();
  #mini = new MiniSearch<Doc>(MINISEARCH_OPTIONS);
  #ix: MiniInternals = internals(this.#mini);
  /**
   * By MiniSearch's short document id: the message and its unit (undefined once removed or
   * discarded). Two flat arrays: no object per message, and MiniSearch's own id map finds them.
   */
  #entries: (Entry | undefined)[] = [];
  #unitOf: (DiscussionIndex | undefined)[] = [];
  /** Per field, each document's length, by short id (MiniSearch's, flat: read per posting). */
  #lengths: number[][] = MINISEARCH_OPTIONS.fields.map(() => []);
  /** The last change taken in. */
  seq = 0;
  /** The last change the persisted snapshot includes. */
  snapshotSeq = -1;
  /**
   * Words must leave the persisted snapshot now (a removal, an edit, a deletion): counted, so
   * that one marked while a snapshot is being written is not cleared when that write ends.
   */
  #mustSnapshot = 0;
  /** `#mustSnapshot` when the snapshot being written was packed, and when the stored one was. */
  #packedMust = 0;
  #storedMust = 0;

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
    // Edited-away words must leave the stored snapshot too, soon, not in minutes.
    if (old && (old.text !== entry.text || old.fileNames.join('\n') !== entry.fileNames.join('\n')))
      this.#mustSnapshot++;
    this.#drop(m.id, old);
    unit.messages.set(m.id, entry);
    unit.deleted.delete(m.id);
    this.#add(unit, entry);
    unit.changed();
    return true;
  }

  /** Remove a deleted message: its words leave the index at once. */
  #delete(unit: DiscussionIndex, id: string): boolean {
    const old = unit.messages.get(id);
    if (!old) return false;
    this.#drop(id, old);
    unit.messages.delete(id);
    this.#mustSnapshot++; // its words leave the stored snapshot soon (a second later)
    unit.deleted.set(id, ++this.seq);
    unit.changed();
    return true;
  }

  #add(unit: DiscussionIndex, m: Entry): void {
    this.#mini.add(toDoc(m));
    // The short id MiniSearch just gave it (not looked up: see `warm`).
    this.#slot(this.#ix._nextId - 1, unit, m);
  }

  #slot(short: number, unit: DiscussionIndex | undefined, m: Entry | undefined): void {
    const before = this.#entries[short];
    if (before && before !== m) before.short = -1;
    if (m) m.short = short;
    this.#entries[short] = m;
    this.#unitOf[short] = unit;
    const lengths = m ? this.#ix._fieldLength.get(short) : undefined;
    for (let f = 0; f < this.#lengths.length; f++) this.#lengths[f][short] = lengths?.[f] ?? 0;
  }

  /** A message's words leave MiniSearch (removed if we know them, discarded otherwise). */
  #drop(id: string, old: Entry | undefined): void {
    const short = old && old.short >= 0 ? old.short : this.#ix._idToShortId.get(id);
    if (short === undefined) return;
    if (old) this.#mini.remove(toDoc(old));
    else {
      // MiniSearch reads the lengths it forgets from its map (loaded ones are not in it).
      this.#ix._fieldLength.set(
        short,
        this.#lengths.map((lengths) => lengths[short] ?? 0),
      );
      this.#mini.discard(id);
    }
    this.#slot(short, undefined, undefined);
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
    for (const m of [...unit.all()]) this.#drop(m.id, m);
    this.units.delete(discussionId);
    this.#mustSnapshot++;
  }

  get size(): number {
    return this.#ix._documentCount;
  }

  // --- persistence ------------------------------------------------------------------------

  /** Everything is to be written again (a worker becomes the writer of the stored index). */
  rewriteAll(): void {
    this.#mustSnapshot++;
    for (const unit of this.units.values()) unit.dirty = true;
  }

  /** Whether the snapshot should be rewritten now (a removal, or many changes since). */
  get snapshotDue(): boolean {
    return this.#mustSnapshot > this.#storedMust || this.seq - this.snapshotSeq >= SNAPSHOT_AFTER_CHANGES;
  }

  /** Changes not in the persisted snapshot yet. */
  get unsnapshotted(): number {
    return this.seq - Math.max(0, this.snapshotSeq);
  }

  snapshot(): SnapshotRecord {
    this.#packedMust = this.#mustSnapshot;
    return {
      format: SEARCH_FORMAT,
      seq: this.seq,
      index: packIndex(
        this.#mini,
        MINISEARCH_OPTIONS.fields.length,
        (short) => ({ group: this.#unitOf[short]?.id ?? '', seq: this.#entries[short]?.seq ?? -1 }),
        (short, field) => this.#lengths[field][short] ?? 0,
      ),
    };
  }

  /**
   * The snapshot (the last one packed) was stored: deletions it includes need not be remembered
   * any more. What changed while it was written stays due.
   */
  snapshotStored(record: SnapshotRecord): void {
    this.snapshotSeq = record.seq;
    this.#storedMust = this.#packedMust;
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
   *
   * The snapshot's documents are paired with the units' entries by short id (both record it)
   * and kept only if the seq agrees: the snapshot holds that very version. No map by message
   * id is built here: units build theirs when first changed, MiniSearch's id -> short id map
   * is built on first use (`warm`, which the worker calls right after loading).
   */
  static restore(
    snapshot: SnapshotRecord | null,
    records: UnitRecord[],
  ): { index: SearchIndex; indexed: number } {
    const index = new SearchIndex();
    const usable = snapshot?.format === SEARCH_FORMAT ? snapshot : null;
    const since = usable ? usable.seq : -1;
    const units: DiscussionIndex[] = [];
    for (const record of records) {
      const unit = DiscussionIndex.fromRecord(record);
      if (!unit) continue;
      units.push(unit);
      index.units.set(unit.id, unit);
      for (const m of unit.all()) if (m.seq > index.seq) index.seq = m.seq;
      for (const seq of unit.deleted.values()) if (seq > index.seq) index.seq = seq;
    }
    if (usable) {
      // Entries the snapshot may hold, by short id.
      const { nextId, fieldLength } = usable.index;
      const claim = new Array<Entry | undefined>(nextId);
      const claimUnit = new Array<DiscussionIndex | undefined>(nextId);
      for (const unit of units) {
        for (const m of unit.all()) {
          if (m.short >= 0 && m.short < nextId && m.seq <= since) {
            claim[m.short] = m;
            claimUnit[m.short] = unit;
          }
        }
      }
      // The snapshot without what changed after it (re-added below) or was deleted, and
      // without discussions whose unit is gone (removed before the snapshot was rewritten).
      let unclaimed = 0;
      const fields = index.#lengths.length;
      const { mini } = unpackIndex(usable.index, MINISEARCH_OPTIONS, (short, group, seq, at) => {
        const m = claim[short];
        const unit = claimUnit[short];
        if (m && unit && m.seq === seq && unit.id === group) {
          index.#entries[short] = m;
          index.#unitOf[short] = unit;
          for (let f = 0; f < fields; f++) index.#lengths[f][short] = fieldLength[at * fields + f];
          return m.id;
        }
        unclaimed++;
        return null;
      });
      index.#mini = mini;
      index.#ix = internals(mini);
      index.snapshotSeq = usable.seq;
      if (usable.seq > index.seq) index.seq = usable.seq;
      // The snapshot on disk holds words the index no longer has (a discussion gone, a message
      // edited or deleted since): rewrite it soon.
      if (unclaimed > 0) index.#mustSnapshot++;
    }
    // Index what the snapshot does not hold: changes after it (and any entry it lacks). Those
    // are not in MiniSearch: its id -> short id map starts with them alone (see `warm`).
    const added = index.#ix._idToShortId;
    let indexed = 0;
    for (const unit of units) {
      for (const m of unit.all()) {
        if (m.short >= 0 && index.#entries[m.short] === m) continue;
        m.short = -1;
        index.#add(unit, m);
        indexed++;
      }
    }
    const entries = index.#entries;
    index.#ix._idToShortId = new LazyIdMap(added, (map) => {
      for (let short = 0; short < entries.length; short++) {
        const m = entries[short];
        if (m && !map.has(m.id)) map.set(m.id, short);
      }
    }).asMap();
    return { index, indexed };
  }

  /** Build now what a cold start left for later (MiniSearch's id -> short id map). */
  warm(): void {
    const ids = this.#ix._idToShortId as unknown;
    if (ids instanceof LazyIdMap) void ids.map;
  }

  // --- search -----------------------------------------------------------------------------

  search(request: SearchRequest): MessageHit[] {
    const filters = request.filters ?? {};
    const limit = request.limit ?? 50;
    const now = request.now ?? Date.now();
    const plan = queryPlan(request.text);
    const before = filters.before ?? Infinity;
    const after = filters.after ?? -Infinity;
    const candidates = candidateUnits(this.units, filters, before, after);
    if (candidates.size === 0) return [];
    const filtered =
      !!filters.authors ||
      !!filters.hasFile ||
      !!filters.hasPin ||
      before !== Infinity ||
      after !== -Infinity ||
      !!filters.discussions;
    if (plan.length === 0 && !filtered) return [];

    const accept = (unit: DiscussionIndex, m: Entry): boolean =>
      candidates.has(unit) &&
      m.ts < before &&
      m.ts >= after &&
      (!filters.authors || filters.authors.has(m.author)) &&
      (!filters.hasFile || m.files.length > 0) &&
      (!filters.hasPin || unit.pins.has(m.id));

    const found: { unit: DiscussionIndex; m: Entry; score: number; terms: string[] }[] = [];
    if (plan.length === 0) {
      // Filters only: the most recent matching messages of the candidate units.
      for (const { unit, m } of latestMatches(candidates, accept, limit))
        found.push({ unit, m, score: m.ts, terms: [] });
    } else {
      const entries = this.#entries;
      const unitOf = this.#unitOf;
      const keep = (doc: number) => {
        const m = entries[doc];
        return !!m && (!filtered || accept(unitOf[doc]!, m));
      };
      const boost = (doc: number) => recency(entries[doc]!.ts, now);
      const ts = (doc: number) => entries[doc]!.ts;
      // Exact words and the word being typed as a prefix; typos only if that finds too few.
      let terms: Expansion[][] = plan.map((q) => expand(this.#ix, q.term, q.prefix, 0));
      const lengths = this.#lengths;
      let result = run(this.#ix, terms, limit, keep, boost, ts, lengths);
      if (result.total < limit && plan.some((q) => fuzzyDistance(q.term) > 0)) {
        terms = plan.map((q) => expand(this.#ix, q.term, q.prefix, fuzzyDistance(q.term)));
        result = run(this.#ix, terms, limit, keep, boost, ts, lengths);
      }
      for (const hit of result.hits) {
        const unit = unitOf[hit.doc]!;
        const m = entries[hit.doc]!;
        found.push({ unit, m, score: hit.score, terms: matchedTerms(terms, hit.doc) });
      }
    }
    return found.map(({ unit, m, score, terms: matched }) => ({
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
}
