/** startServer(config): storage, services, HTTP and WebSocket on one port. Used by main.ts and tests. */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.js';
import { AuditLog } from './services/audit.js';
import { AuthService } from './services/auth.js';
import { DiscussionService } from './services/discussions.js';
import { MemberService } from './services/members.js';
import { SidebarFeed } from './services/sidebar.js';
import { UserAdminService } from './services/users.js';
import { openSqlite } from './storage/sqlite.js';
import type { DocStore, Storage } from './storage/types.js';
import { DocManager } from './sync/doc-manager.js';
import { createLocalBroker, EventHub } from './sync/events.js';
import { createUpgradeHandler } from './sync/upgrade.js';

export interface ServerConfig {
  port: number;
  host?: string;
  dataDir: string;
  /** The built web app to serve, or null for an API-only server. */
  webRoot?: string | null;
  maxFrameBytes?: number;
  unloadAfterMs?: number;
  compactEvery?: number;
  sqliteSync?: 'NORMAL' | 'FULL';
  /** Check every sync update against the document rules. Default true; false only to benchmark the cost. */
  validateUpdates?: boolean;
  log?: (event: string, details: Record<string, unknown>) => void;
  /**
   * Wrap the SQLite DocStore (a store in front of it, or a test's store whose appends can be
   * held or fail). Everything the server writes to documents goes through the result.
   */
  wrapDocStore?: (store: DocStore) => DocStore;
}

export interface RunningServer {
  port: number;
  url: string;
  storage: Storage;
  auth: AuthService;
  discussions: DiscussionService;
  sidebar: SidebarFeed;
  members: MemberService;
  users: UserAdminService;
  docs: DocManager;
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const log = config.log ?? (() => {});
  const sqlite = openSqlite(join(config.dataDir, 'palabre.sqlite'), config.sqliteSync);
  const storage: Storage = config.wrapDocStore
    ? { docs: config.wrapDocStore(sqlite.docs), directory: sqlite.directory, close: () => sqlite.close() }
    : sqlite;
  const events = new EventHub(createLocalBroker());
  const auth = new AuthService(storage.directory);
  const audit = new AuditLog(storage.directory);
  const docs = new DocManager(storage.docs, {
    compactEvery: config.compactEvery,
    unloadAfterMs: config.unloadAfterMs,
  });
  const discussions = new DiscussionService(storage, events, docs, audit);
  const sidebar = new SidebarFeed(storage, discussions, events);
  docs.observe(sidebar);
  const members = new MemberService(storage, discussions, docs, events, audit);
  const users = new UserAdminService(storage.directory, auth, docs, events, audit);

  const app = createApp({
    storage,
    auth,
    audit,
    discussions,
    members,
    users,
    webRoot: config.webRoot ?? null,
    version: VERSION,
    log,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const upgrade = createUpgradeHandler({
    auth,
    directory: storage.directory,
    docs,
    events,
    connection: {
      maxFrameBytes: config.maxFrameBytes ?? 1024 * 1024,
      validate: config.validateUpdates ?? true,
      log,
    },
  });
  server.on('upgrade', upgrade.handle);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    storage,
    auth,
    discussions,
    sidebar,
    members,
    users,
    docs,
    async close() {
      upgrade.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await docs.closeAll();
      await sidebar.stop();
      await storage.close();
    },
  };
}
