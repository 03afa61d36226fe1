/**
 * Tells the search worker what changes in the documents open in this tab (the open thread, the
 * background pool's syncs, other tabs' updates relayed to them): the whole content once, when a
 * document is first read here (the worker skips it if its index already covers that state, and
 * otherwise re-indexes only what differs), then only the messages that change.
 */
import type * as Y from 'yjs';
import { messagesMap, pinsMap, type MessageRecord } from '@palabre/shared/discussion/index';
import { coverageOf, pinnedIds, searchChanges, searchMessages } from '@palabre/shared/search/index';
import type { SyncedDoc } from '$lib/sync/synced-doc.svelte.js';
import type { ToWorker } from './protocol.js';

export function watchDoc(
  synced: SyncedDoc,
  version: () => number,
  send: (message: ToWorker) => void,
): () => void {
  let doc: Y.Doc | null = null;
  let first = true;
  const keys = new Set<string>();
  let pinsChanged = false;
  let unobserve = () => {};

  const attach = (next: Y.Doc) => {
    unobserve();
    doc = next;
    first = true;
    keys.clear();
    const messages = messagesMap(next);
    const pins = pinsMap(next);
    const onMessages = (event: Y.YMapEvent<MessageRecord>) => {
      for (const key of event.keysChanged) keys.add(key);
    };
    const onPins = () => (pinsChanged = true);
    messages.observe(onMessages);
    pins.observe(onPins);
    unobserve = () => {
      messages.unobserve(onMessages);
      pins.unobserve(onPins);
    };
  };

  const flush = () => {
    if (synced.doc !== doc) attach(synced.doc);
    // Not read from IndexedDB yet: an empty document says nothing (the keys are kept).
    if (!doc || (!synced.loaded && !synced.synced)) return;
    const covered = coverageOf(doc, version());
    if (first) {
      first = false;
      keys.clear();
      pinsChanged = false;
      send({ t: 'replace', id: synced.id, messages: searchMessages(doc), pins: pinnedIds(doc), covered });
      return;
    }
    if (keys.size === 0 && !pinsChanged) return;
    const { upserts, deletes } = searchChanges(doc, keys);
    keys.clear();
    send({
      t: 'apply',
      id: synced.id,
      upserts,
      deletes,
      pins: pinsChanged ? pinnedIds(doc) : undefined,
      covered,
    });
    pinsChanged = false;
  };

  attach(synced.doc);
  const unsubscribe = synced.subscribe(flush);
  flush();
  return () => {
    unsubscribe();
    unobserve();
  };
}
