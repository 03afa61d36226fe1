import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addMessage, listMessages, type ReadCursor } from '@palabre/shared/discussion/index';
import { TabRelay, type RelayTarget } from './tab-relay.js';

/** One tab's side: a document, a stand-in for its sync client's origin, and what it was told. */
function tab(name: string, options: { loaded?: boolean; paused?: boolean } = {}) {
  const doc = new Y.Doc();
  const server = { name: 'this tab’s DocSync' };
  const seen = { acked: [] as ReadCursor[], resets: 0, rebuilt: 0, sent: [] as unknown[] };
  const state = { loaded: options.loaded ?? true, paused: options.paused ?? false };
  const target: RelayTarget = {
    doc: () => doc,
    serverOrigin: () => server,
    loaded: () => state.loaded,
    paused: () => state.paused,
    onAcked: (a) => seen.acked.push(a),
    onReset: () => seen.resets++,
    onRebuilt: () => seen.rebuilt++,
  };
  const relay = new TabRelay(name, target);
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === server) seen.sent.push(origin);
    relay.forward(update, origin, 'indexeddb');
  });
  relays.push(relay);
  return { doc, server, seen, state, relay };
}

const relays: TabRelay[] = [];
afterEach(() => {
  for (const relay of relays.splice(0)) relay.close();
});

/** BroadcastChannel delivers asynchronously. */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 20));
const texts = (doc: Y.Doc) => listMessages(doc).map((m) => m.text);

describe('TabRelay', () => {
  it('relays a message written in one tab to the other tab of the same document only', async () => {
    const a = tab('palabre:u:d1');
    const b = tab('palabre:u:d1');
    const other = tab('palabre:u:d2');
    addMessage(a.doc, { author: 'u', text: 'from tab A', now: 1 });
    await delivered();
    expect(texts(b.doc)).toEqual(['from tab A']);
    expect(texts(other.doc)).toEqual([]);
  });

  it('applies what another tab received from the server with its own server origin, and never echoes it', async () => {
    const a = tab('palabre:u:d1');
    const b = tab('palabre:u:d1');
    const fromServer = new Y.Doc();
    addMessage(fromServer, { author: 'v', text: 'from the server', now: 1 });
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(fromServer), a.server);
    await delivered();
    expect(texts(b.doc)).toEqual(['from the server']);
    // Applied in B as if B's own sync client had received it: acknowledged, not sent back.
    expect(b.seen.sent).toEqual([b.server]);
    await delivered();
    expect(texts(a.doc)).toEqual(['from the server']);
  });

  it('does not relay what the local copy (IndexedDB) loaded', async () => {
    const a = tab('palabre:u:d1');
    const b = tab('palabre:u:d1');
    const stored = new Y.Doc();
    addMessage(stored, { author: 'u', text: 'already in IndexedDB', now: 1 });
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(stored), 'indexeddb');
    await delivered();
    expect(texts(b.doc)).toEqual([]);
  });

  it('answers a tab that opens the document with what it lacks, and receives what it has', async () => {
    const a = tab('palabre:u:d1');
    addMessage(a.doc, { author: 'u', text: 'only in A', now: 1 });
    const b = tab('palabre:u:d1');
    addMessage(b.doc, { author: 'u', text: 'only in B', now: 2 });
    // B's 'update' went out before A listened to anything new; the handshake fills both gaps.
    b.relay.hello();
    await delivered();
    await delivered();
    expect(texts(b.doc)).toEqual(['only in A', 'only in B']);
    expect(texts(a.doc)).toEqual(['only in A', 'only in B']);
  });

  it('does not answer while its own copy is not loaded, nor apply anything while paused', async () => {
    const a = tab('palabre:u:d1', { loaded: false });
    addMessage(a.doc, { author: 'u', text: 'not loaded yet', now: 1 });
    const b = tab('palabre:u:d1', { paused: true });
    b.relay.hello();
    await delivered();
    expect(texts(b.doc)).toEqual([]);
    a.state.loaded = true;
    addMessage(a.doc, { author: 'u', text: 'while B rebuilds', now: 2 });
    await delivered();
    expect(texts(b.doc)).toEqual([]);
  });

  it('shares acknowledgements, resets and rebuilds', async () => {
    const a = tab('palabre:u:d1');
    const b = tab('palabre:u:d1');
    a.relay.acked({ '12': 3 });
    a.relay.reset();
    a.relay.rebuilt();
    await delivered();
    expect(b.seen).toMatchObject({ acked: [{ '12': 3 }], resets: 1, rebuilt: 1 });
    expect(a.seen).toMatchObject({ acked: [], resets: 0, rebuilt: 0 });
  });

  it('goes quiet once closed', async () => {
    const a = tab('palabre:u:d1');
    const b = tab('palabre:u:d1');
    b.relay.close();
    addMessage(a.doc, { author: 'u', text: 'after B closed', now: 1 });
    await delivered();
    expect(texts(b.doc)).toEqual([]);
  });
});
