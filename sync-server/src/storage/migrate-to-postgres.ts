/**
 * `npm run palabre -- migrate-to-postgres --data-dir DIR --database-url URL`: copy a SQLite data
 * folder (users, sessions and tokens, discussions and members, every document's history, audit
 * log, retention policy, files and their bytes) into an empty PostgreSQL database. Stop the
 * server first; the SQLite folder is only read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { createFsBlobStore } from './fs-blob-store.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { AuditRow, SessionRow } from './types.js';

export interface MigrationCounts {
  users: number;
  sessions: number;
  discussions: number;
  documents: number;
  auditEntries: number;
  files: number;
}

export async function migrateToPostgres(dataDir: string, databaseUrl: string): Promise<MigrationCounts> {
  const file = join(dataDir, 'palabre.sqlite');
  if (!existsSync(file)) throw new Error(`no Palabre database at ${file}`);
  const from = openSqlite(file);
  const to = await openPostgres(databaseUrl);
  try {
    if ((await to.directory.countUsers()) > 0)
      throw new Error('the PostgreSQL database already holds Palabre data: use an empty one');
    const counts: MigrationCounts = {
      users: 0,
      sessions: 0,
      discussions: 0,
      documents: 0,
      auditEntries: 0,
      files: 0,
    };
    const users = await from.directory.listUsers();
    for (const u of users) await to.directory.insertUser(u);
    counts.users = users.length;
    for (const u of users) {
      const sessions: SessionRow[] = [
        ...(await from.directory.browserSessionsOf(u.id)),
        ...(await from.directory.apiTokensOf(u.id)),
      ];
      for (const s of sessions) await to.directory.insertSession(s);
      counts.sessions += sessions.length;
    }
    const blobsFrom = createFsBlobStore(join(dataDir, 'files'));
    for (const d of await from.directory.listDiscussions()) {
      await to.directory.insertDiscussion(d, await from.directory.membersOf(d.id));
      if (d.lastMessage) await to.directory.setLastMessage(d.id, d.lastMessage, d.lastActivityAt);
      counts.discussions++;
      const { updates } = await from.docs.load(d.id);
      if (updates.length > 0) {
        await to.docs.append(d.id, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));
        counts.documents++;
      }
      for (const f of await from.files.ofDiscussion(d.id)) {
        for (const hash of [f.hash, f.previewHash]) {
          if (!hash || (await to.blobs.has(hash))) continue;
          const bytes = await blobsFrom.get(hash);
          if (bytes) await to.blobs.put(bytes as AsyncIterable<Uint8Array>);
        }
        await to.files.insert(f);
        counts.files++;
      }
    }
    // The audit log, oldest first, so its order is kept.
    const audit: AuditRow[] = [];
    for (let page = await from.directory.listAudit({ limit: 1000 }); page.length > 0;) {
      audit.push(...page);
      page = await from.directory.listAudit({ limit: 1000, before: page.at(-1)!.id });
    }
    for (const e of audit.reverse()) {
      const { id: _id, ...entry } = e;
      await to.directory.appendAudit(entry);
    }
    counts.auditEntries = audit.length;
    await to.directory.setRetentionPolicy(await from.directory.retentionPolicy());
    return counts;
  } finally {
    await from.close();
    await to.close();
  }
}
