/**
 * The server enforces the document rules on every sync update (ARCHITECTURE.md, "Rules").
 * Each test sends a forged update from a hand-crafted client and checks three things: the
 * sender is refused with close code 4422 and a permission-denied reason, the other clients
 * never see the change, and storage is unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addMessage,
  CloseCode,
  listMessages,
  markRead,
  messagesMap,
  metaMap,
  membersMap,
  readsMap,
  getReadCursor,
  MAX_MESSAGE_LENGTH,
  type DiscussionSummary,
} from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import {
  api,
  connect,
  createDiscussion,
  createUser,
  removeDataDir,
  startTestServer,
  until,
  waitForSync,
  type TestServer,
  type TestUser,
} from './helpers.js';

describe('update rules', () => {
  let server: TestServer;
  let owner: TestUser;
  let member: TestUser;
  let other: TestUser;
  let discussion: DiscussionSummary;
  const cleanups: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestServer();
    owner = await createUser(server, 'Olivia Owner');
    member = await createUser(server, 'Marc Member');
    other = await createUser(server, 'Odile Other');
    discussion = await createDiscussion(server.url, owner, [member, other], 'Urgences SAV');
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) c();
    await server.close();
    removeDataDir(server.dataDir);
  });

  async function honest(user: TestUser) {
    const c = connect(server.url, discussion.id, user.token);
    cleanups.push(() => c.provider.destroy());
    await waitForSync(c.provider);
    return c;
  }

  async function attacker(user: TestUser) {
    const a = await connectAttacker(server.url, discussion.id, user.token);
    cleanups.push(() => a.socket.terminate());
    return a;
  }

  async function storedDoc(): Promise<Y.Doc> {
    const { updates } = await server.storage.docs.load(discussion.id);
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u);
    return doc;
  }

  /** Send the forged change and assert: refused with the rule code, invisible, not stored. */
  async function expectRefused(
    user: TestUser,
    rule: string,
    forge: (doc: Y.Doc) => void,
    witness: Y.Doc,
  ): Promise<void> {
    const before = Y.encodeStateVector(witness);
    const a = await attacker(user);
    a.change(forge);
    expect(await a.closed).toBe(CloseCode.UpdateRejected);
    expect(a.denied()).toMatch(new RegExp(`^${rule}`));
    // Nothing reached the witness client; the server still relays honest traffic.
    const probe = await honest(owner);
    addMessage(probe.doc, { author: owner.user.id, text: 'encore là ?', now: Date.now() });
    await until(() => listMessages(witness).some((m) => m.text === 'encore là ?'), 5000, 'honest relay');
    const clientsOf = (doc: Y.Doc) => [...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()];
    expect(clientsOf(witness)).not.toContain(a.doc.clientID);
    expect(Y.decodeStateVector(before).has(a.doc.clientID)).toBe(false);
    expect(clientsOf(await storedDoc())).not.toContain(a.doc.clientID);
  }

  it('refuses a message whose author is not the sender', async () => {
    const witness = await honest(other);
    await expectRefused(
      member,
      'not_author',
      (doc) => {
        addMessage(doc, { author: owner.user.id, text: 'Je démissionne', now: Date.now() });
      },
      witness.doc,
    );
    expect(listMessages(witness.doc).map((m) => m.text)).not.toContain('Je démissionne');
  });

  it("refuses editing someone else's message", async () => {
    const o = await honest(owner);
    const m = addMessage(o.doc, { author: owner.user.id, text: 'Réunion à 10 h', now: Date.now() });
    const witness = await honest(other);
    await until(() => listMessages(witness.doc).length === 1);
    await expectRefused(
      member,
      'foreign_message',
      (doc) => {
        messagesMap(doc).set(m.id, { ...m, text: 'Réunion annulée' });
      },
      witness.doc,
    );
    expect(listMessages(witness.doc)[0].text).toBe('Réunion à 10 h');
  });

  it("refuses a plain member deleting someone else's message, and lets the owner do it", async () => {
    const mem = await honest(member);
    const m = addMessage(mem.doc, { author: member.user.id, text: 'Message à modérer', now: Date.now() });
    const witness = await honest(other);
    await until(() => listMessages(witness.doc).length === 1);
    await expectRefused(other, 'forbidden_delete', (doc) => messagesMap(doc).delete(m.id), witness.doc);
    expect(listMessages(witness.doc).map((x) => x.id)).toContain(m.id);

    const o = await honest(owner);
    messagesMap(o.doc).delete(m.id);
    await until(() => !listMessages(witness.doc).some((x) => x.id === m.id), 5000, 'moderated delete');
  });

  it('refuses any write from a reader but lets the reader mark the discussion read', async () => {
    const res = await api(
      server.url,
      `/api/discussions/${discussion.id}/members/${other.user.id}`,
      owner.token,
      {
        method: 'PATCH',
        body: { role: 'reader' },
      },
    );
    expect(res.status).toBe(200);
    const witness = await honest(member);
    addMessage(witness.doc, { author: member.user.id, text: 'À lire', now: Date.now() });
    await expectRefused(
      other,
      'read_only',
      (doc) => {
        addMessage(doc, { author: other.user.id, text: 'Je ne devrais pas pouvoir écrire', now: Date.now() });
      },
      witness.doc,
    );

    const reader = await honest(other);
    await until(() => listMessages(reader.doc).length >= 1);
    expect(markRead(reader.doc, other.user.id)).toBe(true);
    await until(() => getReadCursor(witness.doc, other.user.id) !== undefined, 5000, 'reader cursor relayed');
  });

  it("refuses moving someone else's read cursor", async () => {
    const witness = await honest(owner);
    await expectRefused(
      member,
      'foreign_cursor',
      (doc) => {
        readsMap(doc).set(owner.user.id, { '1': 999 });
      },
      witness.doc,
    );
    expect(getReadCursor(witness.doc, owner.user.id)).toBeUndefined();
  });

  it('refuses changes to the metadata and to the member mirror', async () => {
    const witness = await honest(owner);
    await expectRefused(member, 'server_only', (doc) => metaMap(doc).set('title', 'Piraté'), witness.doc);
    await expectRefused(
      member,
      'server_only',
      (doc) => membersMap(doc).set(member.user.id, { role: 'owner', addedAt: 0 }),
      witness.doc,
    );
    await expectRefused(member, 'server_only', (doc) => membersMap(doc).delete(owner.user.id), witness.doc);
    expect(metaMap(witness.doc).get('title')).toBe('Urgences SAV');
    expect(membersMap(witness.doc).get(member.user.id)?.role).toBe('member');
  });

  it('refuses structures outside the schema', async () => {
    const witness = await honest(owner);
    await expectRefused(member, 'unknown_root', (doc) => doc.getMap('evil').set('x', 1), witness.doc);
    await expectRefused(
      member,
      'bad_content',
      (doc) => {
        messagesMap(doc).set('m1234567890', {
          id: 'm1234567890',
          author: member.user.id,
          text: 'hi',
          ts: 1,
          html: '<script>',
        } as never);
      },
      witness.doc,
    );
    await expectRefused(
      member,
      'bad_content',
      (doc) => {
        (doc.getMap('messages') as Y.Map<unknown>).set('nested12345', new Y.Map());
      },
      witness.doc,
    );
    await expectRefused(
      member,
      'bad_content',
      (doc) => {
        (doc.getMap('messages') as Y.Map<unknown>).set('string12345', 'just a string');
      },
      witness.doc,
    );
  });

  it(`refuses a message longer than ${MAX_MESSAGE_LENGTH} characters`, async () => {
    const witness = await honest(owner);
    await expectRefused(
      member,
      'message_too_long',
      (doc) => {
        messagesMap(doc).set('longmessage1', {
          id: 'longmessage1',
          author: member.user.id,
          text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1),
          ts: Date.now(),
        });
      },
      witness.doc,
    );
  });

  it('refuses deleting items the server does not have', async () => {
    const witness = await honest(owner);
    const forged = new Y.Doc();
    forged.clientID = 4242;
    forged.getMap('messages').set('ghost', 1);
    forged.getMap('messages').delete('ghost');
    // Only the delete set, without the items it refers to.
    const ds = Y.encodeStateAsUpdate(forged);
    const deleteOnly = Y.diffUpdate(ds, Y.encodeStateVector(forged));
    const a = await attacker(member);
    a.sendUpdate(deleteOnly);
    expect(await a.closed).toBe(CloseCode.UpdateRejected);
    expect(a.denied()).toMatch(/^unknown_reference/);
    expect(listMessages(witness.doc)).toHaveLength(0);
  });

  it('accepts honest traffic from every member while refusing the forger', async () => {
    const a = await honest(owner);
    const b = await honest(member);
    const forger = await attacker(other);
    forger.change((doc) => addMessage(doc, { author: owner.user.id, text: 'faux', now: Date.now() }));
    addMessage(a.doc, { author: owner.user.id, text: 'vrai 1', now: Date.now() });
    addMessage(b.doc, { author: member.user.id, text: 'vrai 2', now: Date.now() });
    expect(await forger.closed).toBe(CloseCode.UpdateRejected);
    await until(
      () => listMessages(a.doc).length === 2 && listMessages(b.doc).length === 2,
      5000,
      'honest sync',
    );
    expect(
      listMessages(a.doc)
        .map((m) => m.text)
        .sort(),
    ).toEqual(['vrai 1', 'vrai 2']);
  });

  it("merges a device's stale read cursor so it never goes backwards", async () => {
    const o = await honest(owner);
    addMessage(o.doc, { author: owner.user.id, text: 'un', now: Date.now() });
    const phone = await honest(member);
    await until(() => listMessages(phone.doc).length === 1);
    markRead(phone.doc, member.user.id);
    await until(() => getReadCursor(o.doc, member.user.id) !== undefined);
    const reached = { ...getReadCursor(o.doc, member.user.id)! };
    // A second device that never saw the first one's cursor writes an older one.
    const laptop = await attacker(member);
    laptop.change((doc) => readsMap(doc).set(member.user.id, { [String(doc.clientID)]: 0 }));
    await new Promise((r) => setTimeout(r, 300));
    const now = getReadCursor(o.doc, member.user.id)!;
    for (const [client, clock] of Object.entries(reached)) expect(now[client]).toBeGreaterThanOrEqual(clock);
  });
});
