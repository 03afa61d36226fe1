/** Metadata and member mirror: written by the server when it creates or changes a discussion. */
import * as Y from 'yjs';
import {
  SCHEMA_VERSION,
  metaMap,
  membersMap,
  type DiscussionKind,
  type DiscussionMeta,
  type MemberEntry,
  type Role,
} from './schema.js';

export interface NewDiscussion {
  id: string;
  kind: DiscussionKind;
  title: string | null;
  createdBy: string;
  createdAt: number;
  members: { userId: string; role: Role }[];
}

/** Fill an empty document with a discussion's metadata and members, in one transaction. */
export function initDiscussion(doc: Y.Doc, d: NewDiscussion): void {
  doc.transact(() => {
    const meta = metaMap(doc);
    meta.set('v', SCHEMA_VERSION);
    meta.set('id', d.id);
    meta.set('kind', d.kind);
    meta.set('title', d.title);
    meta.set('createdBy', d.createdBy);
    meta.set('createdAt', d.createdAt);
    const members = membersMap(doc);
    for (const m of d.members) members.set(m.userId, { role: m.role, addedAt: d.createdAt });
  });
}

export function getMeta(doc: Y.Doc): DiscussionMeta | null {
  const meta = metaMap(doc);
  if (!meta.has('id')) return null;
  return {
    v: Number(meta.get('v')),
    id: String(meta.get('id')),
    kind: meta.get('kind') as DiscussionKind,
    title: (meta.get('title') as string | null) ?? null,
    createdBy: String(meta.get('createdBy')),
    createdAt: Number(meta.get('createdAt')),
    archivedAt: archivedAt(doc),
    purgedBefore: purgedBefore(doc),
  };
}

/** When the discussion was archived, or null: then nobody writes in it (rule `archived`). */
export function archivedAt(doc: Y.Doc): number | null {
  const at = metaMap(doc).get('archivedAt');
  return typeof at === 'number' ? at : null;
}

/** Archive (a time) or restore (null). Server only, like every meta key. */
export function setArchived(doc: Y.Doc, at: number | null): void {
  const meta = metaMap(doc);
  if (at === null) {
    if (meta.has('archivedAt')) meta.delete('archivedAt');
  } else meta.set('archivedAt', at);
}

/** The cut-off of the last retention purge (messages older than it are gone), or null. */
export function purgedBefore(doc: Y.Doc): number | null {
  const at = metaMap(doc).get('purgedBefore');
  return typeof at === 'number' ? at : null;
}

/** Record a purge's cut-off; it only moves forward. Server only. */
export function setPurgedBefore(doc: Y.Doc, cutoff: number): void {
  const current = purgedBefore(doc);
  if (current === null || cutoff > current) metaMap(doc).set('purgedBefore', cutoff);
}

export function setTitle(doc: Y.Doc, title: string | null): void {
  metaMap(doc).set('title', title);
}

export function getMembers(doc: Y.Doc): Map<string, MemberEntry> {
  return new Map(membersMap(doc).entries());
}

export function setMember(doc: Y.Doc, userId: string, role: Role, now: number): void {
  const members = membersMap(doc);
  const existing = members.get(userId);
  if (existing?.role === role) return;
  members.set(userId, { role, addedAt: existing?.addedAt ?? now });
}

export function removeMember(doc: Y.Doc, userId: string): void {
  membersMap(doc).delete(userId);
}
