/**
 * The server enforces the document rules on every sync update (ARCHITECTURE.md, "Rules").
 * Each test sends a forged update from a hand-crafted client and checks, by content: the sender
 * is refused with close code 4422 and the rule code, the other members never see the change, a
 * client opening the discussion afterwards does not either, and storage holds nothing of it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addMessage,
  CloseCode,
  getReadCursor,
  listMessages,
  markRead,
  MAX_MESSAGE_LENGTH,
  membersMap,
  messagesMap,
  metaMap,
  pin,
  pinsMap,
  readFrame,
  readsMap,
  Root,
  step2Frame,
  SyncStep,
  type DiscussionSummary,
  type MessageRecord,
} from '@palabre/shared';
import { connectAttacker, type Attacker } from './attacker.js';
import { until, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

const ROOTS = new Set<string>(Object.values(Root));

/** Everything a member can see in a document, as plain JSON. */
function content(doc: Y.Doc) {
  return {
    meta: metaMap(doc).toJSON(),
    members: membersMap(doc).toJSON(),
    messages: messagesMap(doc).toJSON(),
    pins: pinsMap(doc).toJSON(),
    reads: readsMap(doc).toJSON(),
    otherRoots: [...doc.share.keys()].filter((k) => !ROOTS.has(k)),
  };
}

describe('update rules', () => {
  const server = useTestServer();
  let owner: TestUser, member: TestUser, other: TestUser;
  let discussion: DiscussionSummary;

  beforeEach(async () => {
    [owner, member, other] = await server.createUsers('Olivia Owner', 'Marc Member', 'Odile Other');
    discussion = await server.createDiscussion(owner, [member, other], 'Urgences SAV');
  });

  const honest = (user: TestUser) => server.synced(discussion.id, user.token);

  async function attacker(user: TestUser): Promise<Attacker> {
    const a = await connectAttacker(server.url, discussion.id, user.token);
    server.defer(() => a.socket.terminate());
    return a;
  }

  async function storedDoc(): Promise<Y.Doc> {
    const { updates } = await server.storage.docs.load(discussion.id);
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u);
    return doc;
  }

  /** An honest write, once the witness has it (so it is stored and part of "before"). */
  async function write(user: TestUser, witness: Y.Doc, fn: (doc: Y.Doc) => void): Promise<void> {
    const c = await honest(user);
    const before = JSON.stringify(content(witness));
    fn(c.doc);
    await until(() => JSON.stringify(content(witness)) !== before, 5000, 'the honest write');
  }

  /**
   * Send the forged change and assert: refused with the rule code; the witness (a member
   * connected all along), a client connecting afterwards and storage all hold exactly what they
   * held before. A probe message sent after the refusal proves the relay still works, and that
   * anything relayed before it has arrived.
   */
  async function expectRefused(
    user: TestUser,
    rule: string,
    forge: ((doc: Y.Doc) => void) | { raw: (a: Attacker) => void },
    witness: Y.Doc,
  ): Promise<void> {
    const before = content(witness);
    const a = await attacker(user);
    // A change made on the attacker's replica and sent as is, or bytes the test sends itself.
    if (typeof forge === 'function') a.change(forge);
    else forge.raw(a);
    expect(await a.closed).toBe(CloseCode.UpdateRejected);
    expect(a.denied()).toMatch(new RegExp(`^${rule}:`));

    const probe = await honest(owner);
    const sent = addMessage(probe.doc, { author: owner.user.id, text: 'encore là ?', now: Date.now() });
    await until(() => messagesMap(witness).has(sent.id), 5000, 'honest relay after the refusal');
    const withoutProbe = (doc: Y.Doc) => {
      const c = content(doc);
      delete (c.messages as Record<string, unknown>)[sent.id];
      return c;
    };
    expect(withoutProbe(witness)).toEqual(before);
    const fresh = await honest(other.user.id === user.user.id ? member : other);
    await until(() => messagesMap(fresh.doc).has(sent.id), 5000, 'the probe at a fresh client');
    expect(withoutProbe(fresh.doc)).toEqual(before);
    expect(withoutProbe(await storedDoc())).toEqual(before);
    // Put the probe back out of the way for the next forgery in the same test.
    messagesMap(probe.doc).delete(sent.id);
    await until(() => !messagesMap(witness).has(sent.id), 5000, 'the probe deleted');
  }

  it('refuses a message whose author is not the sender (not_author)', async () => {
    const witness = (await honest(owner)).doc;
    await expectRefused(
      member,
      'not_author',
      (doc) => void addMessage(doc, { author: owner.user.id, text: 'Je démissionne', now: Date.now() }),
      witness,
    );
  });

  it("refuses editing someone else's message (foreign_message) and changing the time of one's own (immutable_field)", async () => {
    const witness = (await honest(owner)).doc;
    let mine: MessageRecord | undefined;
    let theirs: MessageRecord | undefined;
    await write(owner, witness, (doc) => {
      theirs = addMessage(doc, { author: owner.user.id, text: 'Réunion à 10 h', now: Date.now() });
    });
    await write(member, witness, (doc) => {
      mine = addMessage(doc, { author: member.user.id, text: 'Je serai là', now: Date.now() });
    });
    await expectRefused(
      member,
      'foreign_message',
      (doc) => messagesMap(doc).set(theirs!.id, { ...theirs!, text: 'Réunion annulée' }),
      witness,
    );
    await expectRefused(
      member,
      'immutable_field',
      (doc) => messagesMap(doc).set(mine!.id, { ...mine!, ts: mine!.ts - 60_000 }),
      witness,
    );
    // Editing the text of one's own message keeps its time: accepted.
    await write(member, witness, (doc) =>
      messagesMap(doc).set(mine!.id, { ...mine!, text: 'Je serai là à 10 h' }),
    );
    expect(messagesMap(witness).get(mine!.id)?.text).toBe('Je serai là à 10 h');
  });

  it("refuses a plain member deleting someone else's message (forbidden_delete), and lets the owner do it", async () => {
    const witness = (await honest(owner)).doc;
    let m: MessageRecord | undefined;
    await write(member, witness, (doc) => {
      m = addMessage(doc, { author: member.user.id, text: 'Message à modérer', now: Date.now() });
    });
    await expectRefused(other, 'forbidden_delete', (doc) => messagesMap(doc).delete(m!.id), witness);
    const o = await honest(owner);
    messagesMap(o.doc).delete(m!.id);
    await until(() => !messagesMap(witness).has(m!.id), 5000, 'moderated delete');
  });

  it('refuses any write from a reader (read_only) but lets the reader mark the discussion read', async () => {
    const res = await server.api(`/api/discussions/${discussion.id}/members/${other.user.id}`, owner.token, {
      method: 'PATCH',
      body: { role: 'reader' },
    });
    expect(res.status).toBe(200);
    const witness = (await honest(owner)).doc;
    await write(member, witness, (doc) =>
      addMessage(doc, { author: member.user.id, text: 'À lire', now: Date.now() }),
    );
    await expectRefused(
      other,
      'read_only',
      (doc) =>
        void addMessage(doc, { author: other.user.id, text: 'Je ne devrais pas écrire', now: Date.now() }),
      witness,
    );
    await expectRefused(
      other,
      'read_only',
      (doc) => pin(doc, [...messagesMap(doc).keys()][0], other.user.id, Date.now()),
      witness,
    );

    const reader = await honest(other);
    expect(markRead(reader.doc, other.user.id)).toBe(true);
    await until(() => getReadCursor(witness, other.user.id) !== undefined, 5000, 'reader cursor relayed');
  });

  it("refuses writing or deleting someone else's read cursor (foreign_cursor)", async () => {
    const witness = (await honest(owner)).doc;
    await write(owner, witness, (doc) => markRead(doc, owner.user.id));
    // A cursor for someone who has none yet, then overwriting one, then deleting one.
    await expectRefused(
      member,
      'foreign_cursor',
      (doc) => readsMap(doc).set(other.user.id, { '1': 1 }),
      witness,
    );
    await expectRefused(
      member,
      'foreign_cursor',
      (doc) => readsMap(doc).set(owner.user.id, { '1': 999 }),
      witness,
    );
    await expectRefused(member, 'foreign_cursor', (doc) => readsMap(doc).delete(owner.user.id), witness);
    expect(getReadCursor(witness, owner.user.id)).toBeDefined();
  });

  it('refuses changes to the metadata and to the member mirror (server_only)', async () => {
    const witness = (await honest(owner)).doc;
    await expectRefused(member, 'server_only', (doc) => metaMap(doc).set('title', 'Piraté'), witness);
    await expectRefused(
      member,
      'server_only',
      (doc) => membersMap(doc).set(member.user.id, { role: 'owner', addedAt: 0 }),
      witness,
    );
    await expectRefused(member, 'server_only', (doc) => membersMap(doc).delete(owner.user.id), witness);
    expect(metaMap(witness).get('title')).toBe('Urgences SAV');
  });

  it('refuses structures outside the schema (unknown_root, nested_type, bad_content)', async () => {
    const witness = (await honest(owner)).doc;
    const record = (id: string) => ({ id, author: member.user.id, text: 'hi', ts: Date.now() });
    await expectRefused(member, 'unknown_root', (doc) => doc.getMap('evil').set('x', 1), witness);
    await expectRefused(
      member,
      'nested_type',
      (doc) => (doc.getMap(Root.messages) as Y.Map<unknown>).set('nested1234567890abcd', new Y.Map()),
      witness,
    );
    await expectRefused(
      member,
      'bad_content',
      (doc) =>
        messagesMap(doc).set('m1234567890abcdefghi', {
          ...record('m1234567890abcdefghi'),
          html: '<script>',
        } as never),
      witness,
    );
    // A message stored under a key that is not its id.
    await expectRefused(
      member,
      'bad_content',
      (doc) => messagesMap(doc).set('otherkey1234567890ab', record('realid1234567890abcd')),
      witness,
    );
    await expectRefused(
      member,
      'bad_content',
      (doc) => (doc.getMap(Root.messages) as Y.Map<unknown>).set('string1234567890abcd', 'just a string'),
      witness,
    );
    await expectRefused(
      member,
      'bad_content',
      (doc) => readsMap(doc).set(member.user.id, { abc: -1 }),
      witness,
    );
  });

  it(`refuses a message longer than ${MAX_MESSAGE_LENGTH} characters (message_too_long) or blank (empty_message)`, async () => {
    const witness = (await honest(owner)).doc;
    const message = (id: string, text: string) => ({ id, author: member.user.id, text, ts: Date.now() });
    await expectRefused(
      member,
      'message_too_long',
      (doc) =>
        messagesMap(doc).set(
          'longmessage123456789',
          message('longmessage123456789', 'x'.repeat(MAX_MESSAGE_LENGTH + 1)),
        ),
      witness,
    );
    await expectRefused(
      member,
      'empty_message',
      (doc) => messagesMap(doc).set('blankmessage12345678', message('blankmessage12345678', ' \n\t ')),
      witness,
    );
  });

  it('refuses a pin that is not { by: sender, at: time } (bad_pin), and accepts an honest one', async () => {
    const witness = (await honest(owner)).doc;
    let m: MessageRecord | undefined;
    await write(owner, witness, (doc) => {
      m = addMessage(doc, { author: owner.user.id, text: 'À épingler', now: Date.now() });
    });
    await expectRefused(member, 'bad_pin', (doc) => pin(doc, m!.id, owner.user.id, Date.now()), witness);
    await expectRefused(
      member,
      'bad_pin',
      (doc) => pinsMap(doc).set(m!.id, { by: member.user.id, at: 'maintenant' as never }),
      witness,
    );
    await write(member, witness, (doc) => pin(doc, m!.id, member.user.id, Date.now()));
    expect(pinsMap(witness).get(m!.id)?.by).toBe(member.user.id);
  });

  it('refuses deleting items the server does not have (unknown_reference), even beside a valid delete', async () => {
    const witness = (await honest(owner)).doc;
    let mine: MessageRecord | undefined;
    await write(member, witness, (doc) => {
      mine = addMessage(doc, { author: member.user.id, text: 'à effacer plus tard', now: Date.now() });
    });
    const ghost = new Y.Doc();
    ghost.clientID = 4242;
    ghost.getMap('messages').set('ghost', 1);
    ghost.getMap('messages').delete('ghost');
    // Only the delete set, without the items it refers to.
    const unknownDelete = Y.diffUpdate(Y.encodeStateAsUpdate(ghost), Y.encodeStateVector(ghost));
    await expectRefused(
      member,
      'unknown_reference',
      {
        raw: (a) => {
          // Deleting one's own message is allowed: only the unknown part can refuse it.
          const before = Y.encodeStateVector(a.doc);
          messagesMap(a.doc).delete(mine!.id);
          a.sendUpdate(Y.mergeUpdates([Y.encodeStateAsUpdate(a.doc, before), unknownDelete]));
        },
      },
      witness,
    );
  });

  describe('an update whose predecessors the server lacks', () => {
    /** Two messages in two updates; the second alone has a gap (it follows the first). */
    function twoUpdates(author: TestUser) {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      addMessage(doc, { author: author.user.id, text: 'premier', now: Date.now() });
      addMessage(doc, { author: author.user.id, text: 'second', now: Date.now() });
      return updates;
    }

    /** Step 1 frames the server sends from now on, answered by `answer`. */
    function answerAsks(a: Attacker, answer: (ask: number) => Uint8Array) {
      let asks = 0;
      a.socket.on('message', (data) => {
        const frame = readFrame(new Uint8Array(data as ArrayBuffer));
        if (frame.type !== 'sync' || frame.step !== SyncStep.Step1) return;
        asks++;
        a.socket.send(step2Frame(answer(asks)));
      });
      return () => asks;
    }

    it('asks for the complete difference and takes it when it comes', async () => {
      const witness = (await honest(owner)).doc;
      const [first, second] = twoUpdates(member);
      const a = await attacker(member);
      answerAsks(a, () => Y.mergeUpdates([first, second]));
      a.sendUpdate(second);
      await until(() => listMessages(witness).length === 2, 5000, 'both messages');
      expect(listMessages(witness).map((m) => m.text)).toEqual(['premier', 'second']);
      expect(a.socket.readyState).toBe(a.socket.OPEN);
    });

    it('asks three times, then closes with 4422 a client whose answers still have gaps', async () => {
      const witness = (await honest(owner)).doc;
      const [, second] = twoUpdates(member);
      let asks = () => 0;
      await expectRefused(
        member,
        'unknown_reference',
        {
          raw: (a) => {
            asks = answerAsks(a, () => second);
            a.sendUpdate(second);
          },
        },
        witness,
      );
      expect(asks()).toBe(3);
    });
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

  describe("a user's read cursor written by two devices at the same moment", () => {
    // Which of two concurrent writes to one map key wins depends on the writers' client ids:
    // both orders are tried. Neither device has seen the other's cursor.
    for (const phoneWins of [false, true]) {
      it(`is merged so it covers both (${phoneWins ? 'first' : 'second'} write wins the key)`, async () => {
        const witness = (await honest(owner)).doc;
        const phone = await attacker(member);
        const laptop = await attacker(member);
        phone.doc.clientID = phoneWins ? 2_000_000 : 1_000_000;
        laptop.doc.clientID = phoneWins ? 1_000_000 : 2_000_000;
        // Cursors name the writers' clocks they have seen: each device saw a different writer further.
        phone.change((doc) => readsMap(doc).set(member.user.id, { '11': 5, '22': 1 }));
        laptop.change((doc) => readsMap(doc).set(member.user.id, { '11': 1, '22': 7 }));
        const covers = (doc: Y.Doc) => {
          const c = getReadCursor(doc, member.user.id);
          return c !== undefined && c['11'] >= 5 && c['22'] >= 7;
        };
        await until(() => covers(witness), 5000, 'a cursor covering both devices');
        await until(() => covers(phone.doc) && covers(laptop.doc), 5000, 'both devices to get it');
        expect(covers(await storedDoc())).toBe(true);
        expect([phone.socket.readyState, laptop.socket.readyState]).toEqual([1, 1]);
      });
    }
  });
});
