/**
 * Filters first drop whole discussions (SearchIndex.search): the discussion filter, then each
 * unit's dates, authors, pins and files, from its stats, before any message is looked at.
 */
import type { DiscussionIndex } from './discussion-index.js';
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
