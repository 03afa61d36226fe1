/** startServer(config): storage, services, HTTP and WebSocket on one port. Used by main.ts and tests. */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CloseCode, DEFAULT_MAX_FILE_BYTES } from '@palabre/shared';
import { createApp, type Services } from './app.js';
import { createNodeServer } from './http/node-adapter.js';
import { originPolicy } from './http/origin.js';
import { dropStalledRequests } from './http/stalled-requests.js';
import { withLimits, type Limits } from './limits.js';
import { LoginThrottle } from './services/login-throttle.js';
import { SocketRegistry } from './sync/sockets.js';
import { silentLogger, type Logger } from './log.js';
import type { Readiness } from './routes/health.js';
import { ArchiveService } from './services/archives.js';
import { AuditLog } from './services/audit.js';
import { AuthService } from './services/auth.js';
import { BackupService, sourceBackupCommand } from './services/backups.js';
import { DiscussionService } from './services/discussions.js';
import { FileRefs } from './services/file-refs.js';
import { FileService } from './services/files.js';
import { MemberService } from './services/members.js';
import { RetentionService } from './services/retention.js';
import { parseRetentionAt, scheduleRetention } from './services/retention-schedule.js';
import { SidebarFeed } from './services/sidebar.js';
import { UserAdminService } from './services/users.js';
import { openStorage } from './storage/factory.js';
import type { BlobStore, DocStore, Storage } from './storage/types.js';
import type { LiveDocs } from './services/ports.js';
import { shareThrottle } from './sync/shared-throttle.js';
import { createLocalBroker, type Broker } from './sync/broker.js';
import { PurgeWatch } from './sync/purge.js';
import { DocManager } from './sync/doc-manager.js';
import { EventHub } from './sync/events.js';
import { Replication } from './sync/replication.js';
import { createUpgradeHandler } from './sync/upgrade.js';
import { VERSION } from './version.js';

export interface ServerConfig {
  port: number;
  host?: string;
  /** DATA_DIR: the SQLite file and file bytes (only when databaseUrl is not set). */
  dataDir: string;
  /** DATABASE_URL: store everything in this PostgreSQL database instead of SQLite (storage/factory.ts). */
  databaseUrl?: string | null;
  /** REDIS_URL: share events and document updates with the other nodes through this Redis. */
  redisUrl?: string | null;
  /** PALABRE_REDIS_PREFIX: the prefix of every Redis channel (default `palabre:`). */
  redisPrefix?: string;
  /** The built web app to serve, or null for an API-only server. */
  webRoot?: string | null;
  /** Overrides of the security limits (limits.ts); the rest keep their defaults. */
  limits?: Partial<Limits>;
  /** PUBLIC_URL: the address users open. Its origin is the one accepted; https means Secure cookies and HSTS. */
  publicUrl?: string | null;
  /** ALLOWED_ORIGINS: other origins (comma-separated) whose pages may use the cookie session. */
  allowedOrigins?: string;
  /** PALABRE_TRUST_PROXY: take the client address from X-Forwarded-For. */
  trustProxy?: boolean;
  maxFrameBytes?: number;
  unloadAfterMs?: number;
  compactEvery?: number;
  sqliteSync?: 'NORMAL' | 'FULL';
  /** Check every sync update against the document rules. Default true; false only to benchmark the cost. */
  validateUpdates?: boolean;
  /** Structured logs (log.ts); silent when not given (tests, benchmarks). */
  logger?: Logger;
  /** MAX_FILE_BYTES: the largest file accepted (default 25 MB). */
  maxFileBytes?: number;
  /**
   * PALABRE_RETENTION_AT: the daily retention job's local time, HH:MM, or `off`. Not given: no
   * daily job (tests, benchmarks); main.ts defaults it to 03:00.
   */
  retentionAt?: string | null;
  /**
   * Wrap the DocStore (a store in front of it, or a test's store whose appends can be
   * held or fail). Everything the server writes to documents goes through the result.
   */
  wrapDocStore?: (store: DocStore) => DocStore;
  /**
   * Backups started through the API: the folder (PALABRE_BACKUP_DIR, default DATA_DIR/backups) and
   * the `palabre` command to run (default: the TypeScript sources through tsx).
   */
  backups?: { dir?: string; command?: string[] };
}

export interface RunningServer extends Services {
  port: number;
  url: string;
  storage: Storage;
  /** Which storage this node uses (DATABASE_URL or not). */
  storageKind: 'sqlite' | 'postgres';
  broker: Broker;
  sidebar: SidebarFeed;
  blobs: BlobStore;
  docs: DocManager;
  limits: Limits;
  /** Open WebSockets and the bytes waiting in their send buffers (bounded by maxBufferedBytes each). */
  socketStats(): { sockets: number; bufferedBytes: number };
  close(): Promise<void>;
}

export { VERSION };

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const logger = config.logger ?? silentLogger;
  const opened = await openStorage(config);
  const storage: Storage = config.wrapDocStore
    ? {
        ...opened.storage,
        docs: config.wrapDocStore(opened.storage.docs),
        close: () => opened.storage.close(),
      }
    : opened.storage;
  const blobs = opened.blobs;
  let broker: Broker;
  try {
    broker = config.redisUrl
      ? await (
          await import('./sync/redis-broker.js')
        ).createRedisBroker({ url: config.redisUrl, prefix: config.redisPrefix, logger })
      : createLocalBroker();
  } catch (err) {
    await storage.close();
    throw err;
  }
  const limits = withLimits({
    ...(config.maxFrameBytes ? { maxFrameBytes: config.maxFrameBytes } : {}),
    ...config.limits,
  });
  const origins = originPolicy(config.publicUrl, config.allowedOrigins);
  const https = config.publicUrl ? new URL(config.publicUrl).protocol === 'https:' : false;
  const events = new EventHub(broker);
  const audit = new AuditLog(storage.directory);
  const sockets = new SocketRegistry();
  // Closing sockets goes through the broker: the user's sockets may be on any node.
  broker.onControl((m) => {
    if (m.kind === 'close-sessions') sockets.closeSessions(m.sessionIds, m.code, m.reason);
    else if (m.kind === 'close-peers') docs.closePeers(m.docId, m.userId, m.code, m.reason);
    else if (m.kind === 'files-removed') fileRefs.forget(m.docId, m.fileIds);
  });
  const auth = new AuthService(storage.directory, {
    limits,
    // Every node counts every node's failed logins (one node: the same as its own throttle).
    throttle: shareThrottle(new LoginThrottle(limits), broker),
    audit,
    onSessionsEnded: (ids) =>
      broker.control({
        kind: 'close-sessions',
        sessionIds: ids,
        code: CloseCode.Unauthorized,
        reason: 'session ended',
      }),
  });
  const docs = new DocManager(storage.docs, {
    compactEvery: config.compactEvery,
    unloadAfterMs: config.unloadAfterMs,
  });
  const replication = new Replication(docs, broker, logger);
  docs.observe(replication);
  const live: LiveDocs = {
    change: (docId, fn, options) => docs.change(docId, fn, options),
    read: (docId, fn) => docs.read(docId, fn),
    closePeers: (docId, userId, code, reason) =>
      broker.control({ kind: 'close-peers', docId, userId, code, reason }),
  };
  const discussions = new DiscussionService(storage, events, live, audit);
  const sidebar = new SidebarFeed(storage, discussions, events);
  docs.observe(sidebar);
  let files: FileService | null = null;
  const fileRefs = new FileRefs(
    (docId) => files?.filesOf(docId) ?? Promise.resolve([]),
    async (docId, ids) => {
      try {
        await files?.release(docId, ids);
      } catch (err) {
        // The message is gone either way; the bytes stay until a later release of the same hash.
        logger.warn({ event: 'files_release_failed', doc: docId, err }, 'file bytes not removed');
      }
    },
    // Another node may hold the discussion with these files in its FileRefs.
    (docId, fileIds) => broker.control({ kind: 'files-removed', docId, fileIds }),
  );
  docs.observe(fileRefs);
  files = new FileService(
    storage.files,
    blobs,
    discussions,
    fileRefs,
    config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    (event, details) => logger.info({ event, ...details }, event),
  );
  docs.observe(new PurgeWatch(docs));
  const members = new MemberService(storage, discussions, live, events, audit);
  const users = new UserAdminService(storage.directory, auth, live, events, audit);
  const archives = new ArchiveService(storage, discussions, live, audit);
  const fileService = files;
  const retention = new RetentionService({
    storage,
    discussions,
    docs: live,
    audit,
    releaseFiles: (docId, ids) => fileService.release(docId, ids),
    flushSidebar: () => sidebar.flush(),
  });
  const retentionAt = config.retentionAt ? parseRetentionAt(config.retentionAt) : null;
  // With several nodes on one database, each arms the job and the storage lets one run it per day.
  const schedule = retentionAt === null ? null : scheduleRetention(retention, retentionAt, logger, storage);

  // Readiness (GET /api/health): storage answers and the first admin exists. Once the admin has
  // been seen it is not looked up again; storage is queried on every probe (one indexed COUNT).
  let stopping = false;
  let adminSeen = false;
  async function readiness(): Promise<Readiness> {
    const admin = (): 'ok' | 'missing' => (adminSeen ? 'ok' : 'missing');
    if (stopping) return { status: 'stopping', checks: { storage: 'closed', admin: admin() } };
    try {
      if (adminSeen) await storage.directory.countUsers();
      else adminSeen = (await storage.directory.listUsers()).some((u) => u.role === 'admin');
    } catch (err) {
      logger.error({ event: 'storage_check_failed', err }, 'storage check failed');
      return { status: 'starting', checks: { storage: 'failed', admin: admin() } };
    }
    return { status: adminSeen ? 'ok' : 'starting', checks: { storage: 'ok', admin: admin() } };
  }

  const backups = new BackupService({
    dataDir: config.dataDir,
    dir: config.backups?.dir ?? join(config.dataDir, 'backups'),
    command: config.backups?.command ?? sourceBackupCommand(),
    audit,
    logger,
  });

  const services: Services = { auth, discussions, members, users, files, backups, archives, retention };
  const app = createApp({
    ...services,
    storage,
    audit,
    webRoot: config.webRoot ?? null,
    version: VERSION,
    logger,
    readiness,
    limits,
    origins,
    https,
    trustProxy: config.trustProxy ?? false,
  });
  const server = createNodeServer(app.fetch);
  dropStalledRequests(server, limits.handshakeTimeoutMs);
  const upgrade = createUpgradeHandler({
    auth,
    directory: storage.directory,
    docs,
    events,
    connection: {
      maxFrameBytes: limits.maxFrameBytes,
      framesPerSecond: limits.syncFramesPerSecond,
      framesBurst: limits.syncFramesBurst,
      bytesPerSecond: limits.syncBytesPerSecond,
      bytesBurst: limits.syncBytesBurst,
      maxBufferedBytes: limits.maxBufferedBytes,
      validate: config.validateUpdates ?? true,
      logger,
      ruleContext: (docId, options) => fileRefs.context(docId, options),
    },
    origins,
    sockets,
    socketsPerUser: limits.socketsPerUser,
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
    storageKind: opened.kind,
    broker,
    ...services,
    sidebar,
    blobs,
    docs,
    limits,
    socketStats: () => sockets.stats(),
    async close() {
      stopping = true;
      schedule?.stop();
      upgrade.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await backups.close();
      await docs.closeAll();
      await sidebar.stop();
      replication.stop();
      await broker.close();
      await storage.close();
    },
  };
}
