/**
 * Data for the purge workload, written straight into a running Palabre child's storage (the rows
 * and each document's history as one update, as if compacted): group discussions whose older
 * half of messages is 400 days old and newer half from the last day, so a 30-day policy purges
 * exactly half.
 */
import * as Y from 'yjs';
import { DiscussionKind, Role, addMessage, initDiscussion, newId } from '@palabre/shared';
import type { RunningServer } from '@palabre/sync-server';
import { sampleText } from './history.js';

const DAY = 86_400_000;

export async function seedRetention(
  server: RunningServer,
  args: { discussions: number; messages: number; memberIds: string[]; password: string },
): Promise<{ admin: string; bytes: number; ms: number }> {
  const started = performance.now();
  const admin = `purgeadmin${Date.now().toString(36)}`;
  await server.auth.createUser({
    username: admin,
    displayName: 'Purge admin',
    password: args.password,
    role: 'admin',
  });
  const now = Date.now();
  let bytes = 0;
  for (let d = 0; d < args.discussions; d++) {
    const id = newId();
    const createdBy = args.memberIds[0];
    const doc = new Y.Doc();
    initDiscussion(doc, {
      id,
      kind: DiscussionKind.Group,
      title: `Archive ${d}`,
      createdBy,
      createdAt: now - 401 * DAY,
      members: args.memberIds.map((userId, i) => ({ userId, role: i === 0 ? Role.Owner : Role.Member })),
    });
    const half = Math.floor(args.messages / 2);
    // Chunks of 500 per throwaway client, as in history.ts (addMessage scans for its clock).
    const parts = [Y.encodeStateAsUpdate(doc)];
    for (let first = 0; first < args.messages; first += 500) {
      const chunk = new Y.Doc();
      chunk.transact(() => {
        for (let i = first; i < Math.min(args.messages, first + 500); i++) {
          const ts = i < half ? now - 400 * DAY + i * 1000 : now - DAY + i * 10;
          addMessage(chunk, {
            author: args.memberIds[i % args.memberIds.length],
            text: sampleText(d * args.messages + i),
            now: ts,
          });
        }
      });
      parts.push(Y.encodeStateAsUpdate(chunk));
      chunk.destroy();
    }
    doc.destroy();
    const update = Y.mergeUpdates(parts);
    bytes += update.byteLength;
    await server.storage.docs.append(id, update);
    await server.storage.directory.insertDiscussion(
      {
        id,
        kind: DiscussionKind.Group,
        title: `Archive ${d}`,
        createdBy,
        createdAt: now - 401 * DAY,
        directKey: null,
        lastActivityAt: now - DAY,
        lastMessage: null,
        archivedAt: null,
        retentionDays: null,
      },
      args.memberIds.map((userId, i) => ({
        discussionId: id,
        userId,
        role: i === 0 ? Role.Owner : Role.Member,
        addedAt: now - 401 * DAY,
      })),
    );
    if (d % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  return { admin, bytes, ms: performance.now() - started };
}
