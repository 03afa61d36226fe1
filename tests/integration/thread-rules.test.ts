/**
 * The rules for mentions, edits, deletes and pins (ARCHITECTURE.md, "Rules"), each proven with a
 * hand-crafted client: the forged update is refused with 4422 and the rule's code, the other
 * members never see it, and it is not stored. The honest counterpart is accepted.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  MENTION_ALL,
  addMessage,
  deleteMessage,
  editMessage,
  listMessages,
  listPins,
  mentionToken,
  messagesMap,
  pin,
  type DiscussionSummary,
} from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import { until, waitForSync, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

describe('update rules for mentions, edits, deletes and pins', () => {
  const server = useTestServer();
  let owner: TestUser, member: TestUser, other: TestUser, outsider: TestUser;
  let group: DiscussionSummary;
  let probes = 0;

  beforeEach(async () => {
    [owner, member, other, outsider] = await server.createUsers(
      'Olivia Owner',
      'Marc Member',
      'Odile Other',
      'Oscar Outsider',
    );
    group = await server.createDiscussion(owner, [member, other], 'Chantier Lyon');
  });

  /** `by` writes `text` in `doc`, now. */
  const say = (doc: Y.Doc, by: TestUser, text: string) =>
    addMessage(doc, { author: by.user.id, text, now: Date.now() });

  async function honest(user: TestUser, id = group.id) {
    const c = server.client(id, user.token);
    await waitForSync(c.provider);
    return c;
  }

  /** `user`'s honest client once it has received the `count` messages written so far. */
  async function honestWith(count: number, user = other) {
    const c = await honest(user);
    await until(() => listMessages(c.doc).length === count);
    return c;
  }

  async function storedTexts(id = group.id): Promise<string[]> {
    const { updates } = await server.storage.docs.load(id);
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u);
    return listMessages(doc).map((m) => m.text);
  }

  /** The forged change is refused with `rule`, never reaches `witness`, and is not stored. */
  async function expectRefused(
    user: TestUser,
    rule: string,
    forge: (doc: Y.Doc) => void,
    witness: Y.Doc,
    id = group.id,
  ) {
    const a = await connectAttacker(server.url, id, user.token);
    server.defer(() => a.socket.terminate());
    const storedBefore = await storedTexts(id);
    const seenBefore = Y.encodeStateAsUpdate(witness);
    a.change(forge);
    expect(await a.closed).toBe(CloseCode.UpdateRejected);
    expect(a.denied()).toMatch(new RegExp(`^${rule}`));
    // An honest message still goes through, and is the only change anyone saw.
    const probe = await honest(owner, id);
    const text = `sonde ${rule} ${++probes}`;
    say(probe.doc, owner, text);
    await until(() => listMessages(witness).some((m) => m.text === text), 5000, 'honest relay');
    const witnessTexts = listMessages(witness).map((m) => m.text);
    const before = new Y.Doc();
    Y.applyUpdate(before, seenBefore);
    expect(witnessTexts).toEqual([...listMessages(before).map((m) => m.text), text]);
    expect(await storedTexts(id)).toEqual([...storedBefore, text]);
  }

  it('bad_mention: refuses mentioning someone who is not a member, and a mention list that disagrees with the text', async () => {
    const witness = await honest(other);
    await expectRefused(
      member,
      'bad_mention',
      (doc) => say(doc, member, `${mentionToken(outsider.user.id)} viens voir`),
      witness.doc,
    );
    await expectRefused(
      member,
      'bad_mention',
      (doc) =>
        messagesMap(doc).set('fakemention1', {
          id: 'fakemention1',
          author: member.user.id,
          text: 'aucune mention visible',
          ts: Date.now(),
          mentions: [other.user.id],
        }),
      witness.doc,
    );
    const m = await honest(member);
    say(m.doc, member, `${mentionToken(other.user.id)} tu peux relire ?`);
    await until(
      () => listMessages(witness.doc).some((x) => x.mentions?.includes(other.user.id)),
      5000,
      'mention',
    );
  });

  it('mention_all_forbidden: « @tous » from a plain member is refused, from the owner accepted', async () => {
    const witness = await honest(other);
    await expectRefused(
      member,
      'mention_all_forbidden',
      (doc) => say(doc, member, `${mentionToken(MENTION_ALL)} pot ce soir`),
      witness.doc,
    );
    const o = await honest(owner);
    say(o.doc, owner, `${mentionToken(MENTION_ALL)} réunion à 10 h`);
    await until(
      () => listMessages(witness.doc).some((x) => x.mentions?.includes(MENTION_ALL)),
      5000,
      '@tous',
    );
  });

  it('mention_all_forbidden: even the owner of a direct discussion cannot use « @tous »', async () => {
    const direct = await server.createDiscussion(owner, [member]);
    const witness = await honest(member, direct.id);
    await expectRefused(
      owner,
      'mention_all_forbidden',
      (doc) => say(doc, owner, `${mentionToken(MENTION_ALL)} ?`),
      witness.doc,
      direct.id,
    );
  });

  it('foreign_message: only the author edits; the author’s edit is relayed', async () => {
    const o = await honest(owner);
    const m = say(o.doc, owner, 'Livraison lundi');
    const witness = await honestWith(1);
    await expectRefused(
      member,
      'foreign_message',
      (doc) => messagesMap(doc).set(m.id, { ...m, text: 'Livraison annulée', editedAt: Date.now() }),
      witness.doc,
    );
    editMessage(o.doc, { id: m.id, author: owner.user.id, text: 'Livraison mardi', now: Date.now() });
    await until(
      () => listMessages(witness.doc).some((x) => x.text === 'Livraison mardi' && x.editedAt),
      5000,
      'edit',
    );
  });

  it('forbidden_delete: a member cannot delete someone else’s message; the owner can; the author can delete their own', async () => {
    const mem = await honest(member);
    const a = say(mem.doc, member, 'à modérer');
    const b = say(mem.doc, member, 'à retirer moi-même');
    const witness = await honestWith(2);
    await expectRefused(
      other,
      'forbidden_delete',
      (doc) => deleteMessage(doc, { id: a.id, by: other.user.id, now: Date.now() }),
      witness.doc,
    );
    const o = await honest(owner);
    await until(() => listMessages(o.doc).length >= 2);
    deleteMessage(o.doc, { id: a.id, by: owner.user.id, now: Date.now() });
    deleteMessage(mem.doc, { id: b.id, by: member.user.id, now: Date.now() });
    await until(
      () => listMessages(witness.doc).filter((x) => x.deletedAt !== undefined).length === 2,
      5000,
      'deletes relayed',
    );
  });

  it('deleted_message: a deleted message stays deleted, even for its author', async () => {
    const mem = await honest(member);
    const m = say(mem.doc, member, 'propos déplacés');
    const o = await honestWith(1, owner);
    deleteMessage(o.doc, { id: m.id, by: owner.user.id, now: Date.now() });
    const witness = await honest(other);
    await until(() => listMessages(witness.doc)[0]?.deletedAt !== undefined, 5000, 'tombstone');
    await expectRefused(member, 'deleted_message', (doc) => messagesMap(doc).set(m.id, m), witness.doc);
  });

  it('read_only: a reader cannot pin or unpin; a member can', async () => {
    const o = await honest(owner);
    const m = say(o.doc, owner, 'Code portail 1234');
    const res = await server.api(`/api/discussions/${group.id}/members/${other.user.id}`, owner.token, {
      method: 'PATCH',
      body: { role: 'reader' },
    });
    expect(res.status).toBe(200);
    const witness = await honest(member);
    await until(() => listMessages(witness.doc).length === 1);
    await expectRefused(other, 'read_only', (doc) => pin(doc, m.id, other.user.id, Date.now()), witness.doc);
    expect(listPins(witness.doc)).toEqual([]);
    pin(witness.doc, m.id, member.user.id, Date.now());
    await until(() => listPins(o.doc).length === 1, 5000, 'pin relayed');
  });
});
