/**
 * The sidebar's search: the query as typed, its filters resolved to ids (people from the
 * directory, discussions from my list), the discussions whose title or participants match,
 * and the message hits from the search worker, refreshed when the index changes (a message
 * that arrives while the results are on screen shows up in them).
 */
import type { MessageHit } from '@palabre/shared/search/index';
import { isActive, parseQuery, resolveFilters, type ParsedQuery } from '@palabre/shared/search/query';
import { matchesQuery } from '@palabre/shared/text';
import { searchClient } from '$lib/search/client.svelte.js';
import type { WireFilters } from '$lib/search/protocol.js';
import { directory } from './directory.svelte.js';
import { discussions, type DiscussionView } from './discussions.svelte.js';

/** Messages shown at most. */
const LIMIT = 30;

class SearchState {
  query = $state('');
  parsed: ParsedQuery = $derived(parseQuery(this.query));
  /** Something to search for (words or a complete filter). */
  active = $derived(isActive(this.parsed));
  /**
   * Something typed: the sidebar shows the results panel instead of the list, also while only a
   * filter key is being typed (« de: », nothing to search yet: the panel says what to type), so
   * the list does not flash back in between « de » and « de:c ».
   */
  open = $derived(this.query.trim() !== '');
  hits = $state.raw<MessageHit[]>([]);
  /** The hits are for the current query (false while the worker answers). */
  settled = $state(true);
  /** The query the hits on screen answer (the bench times keystroke to painted results with it). */
  answered = $state('');
  /** Worker time of the last answer. */
  ms = $state(0);

  /** Discussions whose title or participants match the words (« fran » finds François). */
  discussionHits: DiscussionView[] = $derived.by(() => {
    const q = this.parsed;
    if (!this.active) return [];
    const words = q.text.trim();
    const filters = this.#filters(q);
    return discussions.views.filter(
      (view) =>
        (words === '' ? q.in.length > 0 : matchesQuery(view.searchText, words)) &&
        (!filters.discussions || filters.discussions.includes(view.id)) &&
        q.from.length === 0 &&
        !q.hasFile &&
        !q.hasPin &&
        q.before === null &&
        q.after === null,
    );
  });

  #filters(q: ParsedQuery): WireFilters {
    const users = directory.users.map((u) => ({ id: u.id, name: u.displayName, username: u.username }));
    const list = discussions.views.map((view) => ({
      id: view.id,
      title: view.title,
      members: view.others.map((id) => directory.name(id)),
    }));
    const { authors, discussions: inDiscussions } = resolveFilters(q, users, list);
    return {
      authors: authors ? [...authors] : undefined,
      discussions: inDiscussions ? [...inDiscussions] : undefined,
      hasFile: q.hasFile,
      hasPin: q.hasPin,
      before: q.before,
      after: q.after,
    };
  }

  /** Ask the worker for the current query (called by an effect on query and index changes). */
  async run(): Promise<void> {
    const q = this.parsed;
    const query = this.query;
    if (!this.active) {
      this.hits = [];
      this.settled = true;
      this.answered = query;
      return;
    }
    this.settled = false;
    const answer = await searchClient.search(q.text, this.#filters(q), LIMIT);
    if (!answer) return; // a newer query is on its way
    this.hits = answer.hits;
    this.ms = answer.ms;
    this.answered = query;
    this.settled = true;
  }

  clear(): void {
    this.query = '';
    this.hits = [];
  }
}

export const search = new SearchState();
