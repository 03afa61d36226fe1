/**
 * Pure decisions of the offline layer, unit-tested in offline.test.ts: which discussions the
 * background pool syncs and in which order, which of my messages may be written again after the
 * server refused an update, and what the connection status says.
 */
import * as Y from 'yjs';
import { Message, textProblem, type MessageRecord, type ReadCursor } from '@palabre/shared/discussion/index';
import { isId } from '@palabre/shared/ids';

/** The state vector of an update's own items, as a cursor (what the server has, when it sent it). */
export function cursorOfUpdate(update: Uint8Array): ReadCursor {
  const out: ReadCursor = {};
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
    out[String(client)] = clock;
  }
  return out;
}

/**
 * My waiting messages that can be written again after a rollback: mine, well-formed, with a text
 * the server accepts, and only if I may still post in the discussion. Same id, time and text:
 * the message keeps its place in the conversation.
 */
export function resubmittable(
  messages: unknown[],
  me: string,
  canWrite: boolean,
  model = Message,
): MessageRecord[] {
  if (!canWrite) return [];
  const seen = new Set<string>();
  const out: MessageRecord[] = [];
  for (const m of messages) {
    if (!model.isRecord(m)) continue;
    if (m.author !== me || !isId(m.id) || seen.has(m.id)) continue;
    if (textProblem(m.text) !== null || m.ts <= 0) continue;
    seen.add(m.id);
    // Every field the record has (the model's table), nothing beyond: what the server accepts.
    out.push(model.copy(m));
  }
  return out;
}

export interface SyncCandidate {
  id: string;
  /** The summary's version (grows with every update the server stores). */
  version: number;
  /** The version last synced into the local document (0: never). */
  syncedVersion: number;
  /** My messages waiting in the local document. */
  pending: number;
  /** Last activity, for ordering. */
  activityAt: number;
}

/** A discussion needs a background sync when the server has more, or I have something to send. */
export function needsSync(c: SyncCandidate): boolean {
  return c.pending > 0 || c.version > c.syncedVersion;
}

/** What to sync first: my waiting messages, then the most recently active discussions. */
export function syncOrder(candidates: SyncCandidate[]): string[] {
  return candidates
    .filter(needsSync)
    .sort(
      (a, b) =>
        Number(b.pending > 0) - Number(a.pending > 0) ||
        b.activityAt - a.activityAt ||
        (a.id < b.id ? -1 : 1),
    )
    .map((c) => c.id);
}

export type ConnectionLabel = 'connected' | 'connecting' | 'reconnecting' | 'offline';

export interface LinkState {
  /** navigator.onLine */
  online: boolean;
  /** The socket is open. */
  open: boolean;
  /** It was open at least once since the page loaded. */
  everOpen: boolean;
  /** Failed attempts in a row. */
  failures: number;
  /** The server closed it for good. */
  closed?: boolean;
}

/** Attempts after which a link that never got through is called offline rather than connecting. */
export const FAILURES_BEFORE_OFFLINE = 3;

/** « Connecté », « Reconnexion… » or « Hors ligne » (« Connexion… » only at the very start). */
export function connectionLabel(link: LinkState): ConnectionLabel {
  if (!link.online || link.closed) return 'offline';
  if (link.open) return 'connected';
  if (link.failures >= FAILURES_BEFORE_OFFLINE) return 'offline';
  return link.everOpen ? 'reconnecting' : 'connecting';
}
