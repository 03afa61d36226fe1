import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
  addMessage,
  deleteMessage,
  editMessage,
  markRead,
  messagesMap,
  pin,
  pinsMap,
  setArchived,
  setPurgedBefore,
} from '../discussion/index.js';
import { checkUpdate, type Sender } from './update-rules.js';

const alice: Sender = { userId: 'alice', role: 'member' };

/** The server's copy and a client replica that starts identical. */
function pair() {
  const server = new Y.Doc();
  const client = new Y.Doc();
  const sync = () => Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client, sync };
}

function changeOf(doc: Y.Doc, fn: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  fn(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('update rules', () => {
  it('accepts a batch of several new messages written offline as one contiguous update', () => {
    const { server, client } = pair();
    const update = changeOf(client, (d) => {
      for (let i = 0; i < 3; i++) addMessage(d, { author: 'alice', text: `m${i}`, now: i });
    });
    expect(checkUpdate(server, update, alice)).toEqual({ ok: true, missingDependencies: false });
  });

  it('asks for the complete difference when an update skips items the server lacks', () => {
    const { server, client } = pair();
    addMessage(client, { author: 'alice', text: 'first', now: 1 });
    const second = changeOf(client, (d) => addMessage(d, { author: 'alice', text: 'second', now: 2 }));
    expect(checkUpdate(server, second, alice)).toEqual({ ok: true, missingDependencies: true });
  });

  it('refuses changing the time of one’s own message', () => {
    const { server, client, sync } = pair();
    const m = addMessage(server, { author: 'alice', text: 'hello', now: 1 });
    sync();
    const update = changeOf(client, (d) => messagesMap(d).set(m.id, { ...m, ts: m.ts + 1000 }));
    expect(checkUpdate(server, update, alice)).toMatchObject({ ok: false, code: 'immutable_field' });
  });

  it('accepts editing the text of one’s own message', () => {
    const { server, client, sync } = pair();
    const m = addMessage(server, { author: 'alice', text: 'helo', now: 1 });
    sync();
    const update = changeOf(client, (d) => messagesMap(d).set(m.id, { ...m, text: 'hello' }));
    expect(checkUpdate(server, update, alice)).toMatchObject({ ok: true });
  });

  it('refuses a pin in someone else’s name and accepts one’s own', () => {
    const { server, client, sync } = pair();
    const m = addMessage(server, { author: 'bob', text: 'important', now: 1 });
    sync();
    const forged = changeOf(client, (d) => pinsMap(d).set(m.id, { by: 'bob', at: 2 }));
    expect(checkUpdate(server, forged, alice)).toMatchObject({ ok: false, code: 'bad_pin' });
    const client2 = new Y.Doc();
    Y.applyUpdate(client2, Y.encodeStateAsUpdate(server));
    const own = changeOf(client2, (d) => pin(d, m.id, 'alice', 2));
    expect(checkUpdate(server, own, alice)).toMatchObject({ ok: true });
    expect(checkUpdate(server, own, { userId: 'alice', role: 'reader' })).toMatchObject({
      ok: false,
      code: 'read_only',
    });
  });

  it('lets a reader move only their own read cursor', () => {
    const { server, client, sync } = pair();
    addMessage(server, { author: 'bob', text: 'to read', now: 1 });
    sync();
    const update = changeOf(client, (d) => markRead(d, 'rita'));
    expect(checkUpdate(server, update, { userId: 'rita', role: 'reader' })).toMatchObject({ ok: true });
    expect(checkUpdate(server, update, { userId: 'other', role: 'owner' })).toMatchObject({
      ok: false,
      code: 'foreign_cursor',
    });
  });

  it('refuses an empty message', () => {
    const { server, client } = pair();
    const update = changeOf(client, (d) =>
      messagesMap(d).set('abcdefghij', { id: 'abcdefghij', author: 'alice', text: '   ', ts: 1 }),
    );
    expect(checkUpdate(server, update, alice)).toMatchObject({ ok: false, code: 'empty_message' });
  });

  it('accepts a message written, edited and deleted offline, sent as one update', () => {
    const { server, client } = pair();
    const update = changeOf(client, (d) => {
      const m = addMessage(d, { author: 'alice', text: 'brouillon', now: 1 });
      editMessage(d, { id: m.id, author: 'alice', text: 'brouillon 2', now: 2 });
      deleteMessage(d, { id: m.id, by: 'alice', now: 3 });
    });
    expect(checkUpdate(server, update, alice)).toMatchObject({ ok: true });
  });

  it('refuses a tombstone that keeps text, and one signed by someone else', () => {
    const { server, client, sync } = pair();
    const m = addMessage(server, { author: 'alice', text: 'secret', now: 1 });
    sync();
    const keeps = changeOf(client, (d) =>
      messagesMap(d).set(m.id, { ...m, deletedAt: 2, deletedBy: 'alice' }),
    );
    expect(checkUpdate(server, keeps, alice)).toMatchObject({ ok: false, code: 'bad_content' });
    const client2 = new Y.Doc();
    Y.applyUpdate(client2, Y.encodeStateAsUpdate(server));
    const signed = changeOf(client2, (d) => deleteMessage(d, { id: m.id, by: 'bob', now: 2 }));
    expect(checkUpdate(server, signed, alice)).toMatchObject({ ok: false, code: 'bad_content' });
  });

  it('lets a moderator delete someone else’s message but not edit it', () => {
    const { server, client, sync } = pair();
    const m = addMessage(server, { author: 'alice', text: 'hors sujet', now: 1 });
    sync();
    const mod: Sender = { userId: 'mod', role: 'moderator' };
    const del = changeOf(client, (d) => deleteMessage(d, { id: m.id, by: 'mod', now: 2 }));
    expect(checkUpdate(server, del, mod)).toMatchObject({ ok: true });
    const client2 = new Y.Doc();
    Y.applyUpdate(client2, Y.encodeStateAsUpdate(server));
    const edit = changeOf(client2, (d) => messagesMap(d).set(m.id, { ...m, text: 'censuré', editedAt: 2 }));
    expect(checkUpdate(server, edit, mod)).toMatchObject({ ok: false, code: 'foreign_message' });
  });
});

describe('malformed updates', () => {
  it('refuses whole, before anything is applied, an update deleting an empty range', () => {
    // Yjs itself throws half-way through applying it, after changing the document.
    const e = encoding.createEncoder();
    for (const n of [0, 1, 12345, 1, 0, 0]) encoding.writeVarUint(e, n);
    const update = encoding.toUint8Array(e);
    const { server } = pair();
    expect(() => Y.applyUpdate(new Y.Doc(), update)).toThrow();
    expect(() => checkUpdate(server, update, alice)).toThrow('empty deletion range');
  });
});

describe('attachment rules', () => {
  const file = { id: 'f1f1f1f1f1f1f1f1f1f1', name: 'plan.pdf', type: 'application/pdf', size: 1234 };
  const uploaded = {
    fileOf: (id: string) => (id === file.id ? { name: file.name, type: file.type, size: file.size } : null),
  };

  it('accepts a message with a file uploaded to the discussion, even without text', () => {
    const { server, client } = pair();
    const update = changeOf(client, (d) =>
      addMessage(d, { author: 'alice', text: '', files: [file], now: 1 }),
    );
    expect(checkUpdate(server, update, alice, uploaded).ok).toBe(true);
  });

  it('refuses, with foreign_file, a file the discussion does not have or with other metadata', () => {
    const { server, client } = pair();
    const other = changeOf(client, (d) =>
      addMessage(d, { author: 'alice', text: 'x', files: [{ ...file, id: 'zzzzzzzzzzzzzzzzzzzz' }], now: 1 }),
    );
    expect(checkUpdate(server, other, alice, uploaded)).toMatchObject({ ok: false, code: 'foreign_file' });
    const renamed = changeOf(new Y.Doc(), (d) =>
      addMessage(d, { author: 'alice', text: 'x', files: [{ ...file, size: 1 }], now: 1 }),
    );
    expect(checkUpdate(server, renamed, alice, uploaded)).toMatchObject({ ok: false, code: 'foreign_file' });
    // Without a file lookup (a client checking alone), no attachment is accepted.
    const plain = changeOf(new Y.Doc(), (d) =>
      addMessage(d, { author: 'alice', text: 'x', files: [file], now: 1 }),
    );
    expect(checkUpdate(server, plain, alice)).toMatchObject({ ok: false, code: 'foreign_file' });
  });

  it('refuses a malformed files field, and an empty message without files', () => {
    const { server } = pair();
    const forge = (files: unknown, text = 'x') =>
      changeOf(new Y.Doc(), (d) =>
        messagesMap(d).set('m1m1m1m1m1', { id: 'm1m1m1m1m1', author: 'alice', text, ts: 1, files } as never),
      );
    for (const bad of [
      [],
      [{ ...file, extra: 1 }],
      [file, file],
      [{ ...file, id: '../x' }],
      'f1f1f1f1',
      Array(11).fill(file),
    ])
      expect(checkUpdate(server, forge(bad), alice, uploaded)).toMatchObject({
        ok: false,
        code: 'bad_content',
      });
    const empty = changeOf(new Y.Doc(), (d) =>
      messagesMap(d).set('m2m2m2m2m2', { id: 'm2m2m2m2m2', author: 'alice', text: ' ', ts: 1 }),
    );
    expect(checkUpdate(server, empty, alice, uploaded)).toMatchObject({ ok: false, code: 'empty_message' });
  });
});

describe('archives and retention', () => {
  it('refuses, with archived, any message, pin or delete in an archived discussion, but not one’s read cursor', () => {
    const { server, client, sync } = pair();
    const owner: Sender = { userId: 'alice', role: 'owner', orgRole: 'admin' };
    const m = addMessage(server, { author: 'alice', text: 'before the archive', now: 1 });
    setArchived(server, 5);
    sync();
    const post = changeOf(client, (d) => addMessage(d, { author: 'alice', text: 'after', now: 6 }));
    expect(checkUpdate(server, post, owner)).toMatchObject({ ok: false, code: 'archived' });
    const client2 = new Y.Doc();
    Y.applyUpdate(client2, Y.encodeStateAsUpdate(server));
    const del = changeOf(client2, (d) => messagesMap(d).delete(m.id));
    expect(checkUpdate(server, del, owner)).toMatchObject({ ok: false, code: 'archived' });
    const client3 = new Y.Doc();
    Y.applyUpdate(client3, Y.encodeStateAsUpdate(server));
    const pinIt = changeOf(client3, (d) => pin(d, m.id, 'alice', 7));
    expect(checkUpdate(server, pinIt, owner)).toMatchObject({ ok: false, code: 'archived' });
    const client4 = new Y.Doc();
    Y.applyUpdate(client4, Y.encodeStateAsUpdate(server));
    const read = changeOf(client4, (d) => markRead(d, 'alice'));
    expect(checkUpdate(server, read, owner)).toMatchObject({ ok: true });
    setArchived(server, null);
    expect(checkUpdate(server, post, owner)).toMatchObject({ ok: true });
  });

  it('refuses, with expired_message, a new message older than the last purge, but lets a kept one change', () => {
    const { server, client, sync } = pair();
    const kept = addMessage(server, { author: 'alice', text: 'pinned, kept', now: 10 });
    setPurgedBefore(server, 1_000);
    sync();
    const old = changeOf(client, (d) =>
      messagesMap(d).set('abcdefghij0123456789', {
        id: 'abcdefghij0123456789',
        author: 'alice',
        text: 'written long ago, offline',
        ts: 500,
      }),
    );
    expect(checkUpdate(server, old, alice)).toMatchObject({ ok: false, code: 'expired_message' });
    const client2 = new Y.Doc();
    Y.applyUpdate(client2, Y.encodeStateAsUpdate(server));
    const edit = changeOf(client2, (d) =>
      editMessage(d, { id: kept.id, author: 'alice', text: 'still here', now: 2_000 }),
    );
    expect(checkUpdate(server, edit, alice)).toMatchObject({ ok: true });
    const fresh = changeOf(client2, (d) => addMessage(d, { author: 'alice', text: 'new', now: 2_000 }));
    expect(checkUpdate(server, fresh, alice)).toMatchObject({ ok: true });
  });
});
