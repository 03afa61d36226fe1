/**
 * A big data folder for the backup workload, written straight into SQLite (no server, no sockets):
 * `discussions` group discussions of 8 members among 50 users, `messagesEach` messages each,
 * stored as the server leaves them after its compactions: one snapshot update holding the first
 * three quarters of the messages and one update per message for the last quarter (the server
 * compacts every 500 appends). Plus `files` stored files of 256 KiB in the file store. Generating
 * through the real server would take hours at the socket rate limits; the rows are the same bytes
 * the server would store (Yjs updates made with the shared document functions).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { addMessage, newId } from '@palabre/shared';
import { openSqlite } from '@palabre/sync-server';
import { createFsBlobStore } from '../sync-server/src/storage/fs-blob-store.js';

const WORDS =
  'bonjour merci réunion demain projet client livraison version test serveur équipe planning budget rapport question réponse idée problème solution vendredi lundi urgent document fichier maquette relecture validation déploiement incident'.split(
    ' ',
  );

function sentence(rng: () => number): string {
  const n = 6 + Math.floor(rng() * 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rng() * WORDS.length)]!);
  return `${words.join(' ')}.`;
}

/** A small deterministic generator, so two runs store the same data. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedData {
  discussions: number;
  messages: number;
  rows: number;
  files: number;
  ms: number;
}

export async function generateBackupData(
  dataDir: string,
  { discussions, messagesEach, files }: { discussions: number; messagesEach: number; files: number },
  progress: (line: string) => void = () => undefined,
): Promise<GeneratedData> {
  const started = performance.now();
  const file = join(dataDir, 'palabre.sqlite');
  const storage = openSqlite(file);
  const now = Date.now();
  const users = Array.from({ length: 50 }, (_, i) => ({ id: newId(), username: `membre${i}` }));
  for (const u of users)
    await storage.directory.insertUser({
      id: u.id,
      username: u.username,
      displayName: `Membre ${u.username.slice(6)}`,
      passwordHash: 'generated-no-login',
      role: 'user',
      disabled: false,
      createdAt: now,
    });
  const ids: string[] = [];
  for (let d = 0; d < discussions; d++) {
    const id = newId();
    ids.push(id);
    const members = Array.from({ length: 8 }, (_, k) => users[(d * 3 + k * 7) % users.length]!);
    await storage.directory.insertDiscussion(
      {
        id,
        kind: 'group',
        title: `Discussion ${d}`,
        createdBy: members[0]!.id,
        createdAt: now - 86_400_000,
        directKey: null,
        lastActivityAt: now,
        lastMessage: null,
        archivedAt: null,
        retentionDays: null,
      },
      members.map((m, k) => ({
        discussionId: id,
        userId: m.id,
        role: k === 0 ? 'owner' : 'member',
        addedAt: now,
      })),
    );
  }
  const blobs = createFsBlobStore(join(dataDir, 'files'));
  for (let f = 0; f < files; f++) {
    const bytes = randomBytes(256 * 1024);
    const { hash, size } = await blobs.put(Readable.from([bytes]));
    await storage.files.insert({
      id: newId(),
      discussionId: ids[f % ids.length]!,
      name: `piece-${f}.bin`,
      type: 'application/octet-stream',
      size,
      hash,
      previewHash: null,
      uploadedBy: users[0]!.id,
      createdAt: now,
    });
  }
  await storage.close();

  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare<[string, Buffer]>('INSERT INTO doc_updates (doc_id, data) VALUES (?, ?)');
  const rng = mulberry32(42);
  let rows = 0;
  const snapshotCount = Math.floor(messagesEach * 0.75);
  for (let d = 0; d < discussions; d++) {
    const doc = new Y.Doc();
    const meta = doc.getMap('meta');
    meta.set('v', 1);
    meta.set('id', ids[d]);
    meta.set('kind', 'group');
    meta.set('title', `Discussion ${d}`);
    const tail: Uint8Array[] = [];
    const authors = Array.from({ length: 8 }, (_, k) => users[(d * 3 + k * 7) % users.length]!.id);
    let t = now - 30 * 86_400_000;
    for (let m = 0; m < messagesEach; m++) {
      t += 1000 + Math.floor(rng() * 60_000);
      addMessage(doc, { author: authors[m % 8]!, text: sentence(rng), now: t });
      if (m + 1 === snapshotCount) {
        // The snapshot is written first; each later message is one appended update, as sent.
        const snapshot = Y.encodeStateAsUpdate(doc);
        db.transaction(() => insert.run(ids[d]!, Buffer.from(snapshot)))();
        rows++;
        doc.on('update', (update: Uint8Array) => tail.push(update));
      }
    }
    db.transaction(() => {
      for (const u of tail) insert.run(ids[d]!, Buffer.from(u));
    })();
    rows += tail.length;
    doc.destroy();
    if ((d + 1) % 100 === 0) progress(`  ${d + 1}/${discussions} discussions generated`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { discussions, messages: discussions * messagesEach, rows, files, ms: performance.now() - started };
}
