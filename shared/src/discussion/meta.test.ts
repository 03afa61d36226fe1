import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { ReplicaSet } from '../testing/sync.js';
import { getMembers, getMeta, initDiscussion, removeMember, setMember, setTitle } from './meta.js';
import { SCHEMA_VERSION } from './schema.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

describe('discussion metadata', () => {
  it('reads back what the server wrote when it created the discussion', () => {
    const doc = new Y.Doc();
    expect(getMeta(doc)).toBeNull();
    initDiscussion(doc, {
      id: 'd1234567',
      kind: 'group',
      title: 'Urgences SAV',
      createdBy: 'karim',
      createdAt: T0,
      members: [
        { userId: 'karim', role: 'owner' },
        { userId: 'elodie', role: 'member' },
      ],
    });
    expect(getMeta(doc)).toEqual({
      v: SCHEMA_VERSION,
      id: 'd1234567',
      kind: 'group',
      title: 'Urgences SAV',
      createdBy: 'karim',
      createdAt: T0,
      archivedAt: null,
      purgedBefore: null,
    });
    expect(getMembers(doc)).toEqual(
      new Map([
        ['karim', { role: 'owner', addedAt: T0 }],
        ['elodie', { role: 'member', addedAt: T0 }],
      ]),
    );
  });

  it('sends a new title and member changes to the other replicas, keeping when each member joined', () => {
    const r = new ReplicaSet(2);
    const [server, client] = r.docs;
    initDiscussion(server, {
      id: 'd1234567',
      kind: 'group',
      title: null,
      createdBy: 'karim',
      createdAt: T0,
      members: [{ userId: 'karim', role: 'owner' }],
    });
    setTitle(server, 'Équipe commerciale');
    setMember(server, 'sophie', 'member', T0 + 10);
    setMember(server, 'sophie', 'moderator', T0 + 20);
    setMember(server, 'thomas', 'reader', T0 + 30);
    removeMember(server, 'thomas');
    r.flush();
    expect(getMeta(client)?.title).toBe('Équipe commerciale');
    expect(getMembers(client).get('sophie')).toEqual({ role: 'moderator', addedAt: T0 + 10 });
    expect(getMembers(client).has('thomas')).toBe(false);
  });

  it('does not write anything when a member is given the role they already have', () => {
    const doc = new Y.Doc();
    setMember(doc, 'sophie', 'member', T0);
    let updates = 0;
    doc.on('update', () => updates++);
    setMember(doc, 'sophie', 'member', T0 + 5);
    expect(updates).toBe(0);
  });
});
