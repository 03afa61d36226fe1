/**
 * What a search asks (words, filters) and answers (message hits), the persisted snapshot's
 * record, and how a message enters MiniSearch (its fields, typo tolerance, recency weight).
 * SearchIndex (search-index.ts) uses them; the worker and the bench import them from index.ts.
 */
import type { Options } from 'minisearch';
import { indexTerm, tokenize } from './fold.js';
import type { Entry } from './discussion-index.js';
import type { PackedIndex } from './snapshot.js';
import type { SnippetPart } from './snippet.js';

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
  index: PackedIndex;
}

export type Doc = { id: string; text: string; files: string };

export const MINISEARCH_OPTIONS: Options<Doc> = {
  fields: ['text', 'files'],
  tokenize,
  processTerm: indexTerm,
};

const DAY = 86_400_000;
/** Changes after which the snapshot is worth rewriting (a cold start then replays fewer). */
export const SNAPSHOT_AFTER_CHANGES = 2_000;

/** Typos tolerated: none in short words, one from 4 letters, two from 7 (« reunoin »). */
export function fuzzyDistance(term: string): number {
  return term.length >= 7 ? 2 : term.length >= 4 ? 1 : 0;
}

/** Recent messages weigh more: x2 today, x1.5 a week ago, barely more than x1 after months. */
export function recency(ts: number, now: number): number {
  return 1 + 1 / (1 + Math.max(0, now - ts) / (7 * DAY));
}

export const toDoc = (m: Entry): Doc => ({ id: m.id, text: m.text, files: m.fileNames.join(' ') });
