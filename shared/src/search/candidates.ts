/**
 * Filters first drop whole discussions (SearchIndex.search): the discussion filter, then each
 * unit's dates, authors, pins and files, from its stats, before any message is looked at.
 */
import type { DiscussionIndex, Entry } from './discussion-index.js';
import type { SearchFilters } from './search-model.js';

/** Units that may hold a match. */
export function candidateUnits(
  all: ReadonlyMap<string, DiscussionIndex>,
  filters: SearchFilters,
  before: number,
  after: number,
): Set<DiscussionIndex> {
  const out = new Set<DiscussionIndex>();
  const units = filters.discussions
    ? [...filters.discussions].map((id) => all.get(id)).filter((u) => u !== undefined)
    : all.values();
  for (const unit of units) {
    if (unit.count === 0) continue;
    const stats = unit.stats;
    if (stats.minTs >= before || stats.maxTs < after) continue;
    if (filters.hasPin && unit.pins.size === 0) continue;
    if (filters.hasFile && stats.files === 0) continue;
    if (filters.authors && ![...filters.authors].some((a) => stats.authors.has(a))) continue;
    out.add(unit);
  }
  return out;
}

/**
 * Filters without words: the `limit` most recent messages `keep` accepts, newest first. Units
 * are visited from the one with the newest message, and once `limit` are kept, a unit whose
 * newest message is older than the last kept one is not opened, and a message older than it is
 * not even checked: a small sorted array, never a sort of every message the filters let through
 * (« apres:… » alone lets half of them through).
 */
export function latestMatches(
  units: Iterable<DiscussionIndex>,
  keep: (unit: DiscussionIndex, m: Entry) => boolean,
  limit: number,
): { unit: DiscussionIndex; m: Entry }[] {
  const kept: { unit: DiscussionIndex; m: Entry }[] = [];
  if (limit <= 0) return kept;
  const newestFirst = [...units].sort((a, b) => b.stats.maxTs - a.stats.maxTs);
  let oldest = -Infinity; // the last kept message's time, once `limit` are kept
  for (const unit of newestFirst) {
    if (unit.stats.maxTs <= oldest) break;
    for (const m of unit.all()) {
      if (m.ts <= oldest || !keep(unit, m)) continue;
      let at = kept.length;
      while (at > 0 && kept[at - 1].m.ts < m.ts) at--;
      kept.splice(at, 0, { unit, m });
      if (kept.length > limit) kept.pop();
      if (kept.length === limit) oldest = kept[limit - 1].m.ts;
    }
  }
  return kept;
}
