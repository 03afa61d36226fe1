/**
 * WebSocket upgrades: /sync/<discussionId> (y-websocket) and /api/events (JSON events).
 * Authentication and membership are checked on the HTTP request, so a refused client gets a
 * plain 401/403/404 response and never a byte of any document.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, ErrorCode, isId } from '@palabre/shared';
import { STATUS_OF } from '../http/errors.js';
import { crossSiteRefused, type OriginPolicy } from '../http/origin.js';
import { tokenFrom } from '../http/token.js';
import type { AuthService } from '../services/auth.js';
import type { Directory } from '../storage/types.js';
import type { SocketRegistry } from './sockets.js';
import { attachSyncConnection, SyncPeer, type ConnectionOptions } from './connection.js';
import type { DocManager } from './doc-manager.js';
import type { EventHub } from './events.js';

export interface UpgradeDeps {
  /** Only what the upgrade needs of the services and storage: who is asking, and may they. */
  auth: Pick<AuthService, 'authenticateSession' | 'touch'>;
  directory: Pick<Directory, 'discussionById' | 'memberRole'>;
  docs: DocManager;
  events: EventHub;
  connection: ConnectionOptions;
  origins: OriginPolicy;
  sockets: SocketRegistry;
  /** Open WebSockets one user may hold, all devices together. */
  socketsPerUser: number;
}

/** How long an events socket's hello waits for the broker to follow its user (Redis away). */
const HELLO_WAIT_MS = 2000;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
};

function refuse(socket: Duplex, code: ErrorCode, message: string): void {
  const status = STATUS_OF[code];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function createUpgradeHandler(deps: UpgradeDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();
  const track = (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  };

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const syncMatch = url.pathname.match(/^\/sync\/([^/]+)$/);
    if (!syncMatch && url.pathname !== '/api/events')
      return refuse(socket, ErrorCode.NotFound, 'No WebSocket endpoint here');
    const headers = { cookie: req.headers.cookie, authorization: req.headers.authorization };
    // A page on another origin may not open a socket with the user's cookie (cross-site
    // WebSocket hijacking); refused before authentication so it learns nothing.
    if (
      crossSiteRefused(
        { method: 'GET', origin: req.headers.origin, host: req.headers.host, ...headers },
        url,
        deps.origins,
        true,
      )
    )
      return refuse(socket, ErrorCode.CrossOrigin, 'WebSockets from another site are not accepted');
    const authed = await deps.auth.authenticateSession(tokenFrom(headers, url));
    if (!authed) return refuse(socket, ErrorCode.Unauthenticated, 'Authentication required');
    const { user, session: login } = authed;
    if (deps.sockets.countOf(user.id) >= deps.socketsPerUser)
      return refuse(socket, ErrorCode.TooManySockets, 'Too many open connections for this user');
    /** Track the socket for the per-user cap and for closing it when its login session ends. */
    const register = (ws: WebSocket, close: (code: CloseCode, reason: string) => void) => {
      track(ws);
      const forget = deps.sockets.add({
        userId: user.id,
        sessionId: login.id,
        close,
        buffered: () => ws.bufferedAmount,
      });
      ws.on('close', () => {
        forget();
        void deps.auth.touch(login).catch(() => {});
      });
    };

    if (!syncMatch) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        register(ws, (code, reason) => ws.close(code, reason));
        const { remove, ready } = deps.events.add(user.id, {
          send: (data) => {
            // An events socket that does not read is dropped, never buffered without bound.
            if (ws.bufferedAmount > deps.connection.maxBufferedBytes) ws.terminate();
            else ws.send(data);
          },
          close: (code, reason) => ws.close(code, reason),
        });
        ws.on('close', remove);
        ws.on('message', () => ws.close(CloseCode.MalformedFrame, 'this socket only sends'));
        // Hello once every node's events for this user reach this socket (the app catches up from
        // the list on a hello): right away on one node, after the broker subscribes with several.
        // A broker that cannot follow now (Redis away) holds it back HELLO_WAIT_MS at most.
        let greeted = false;
        const hello = () => {
          clearTimeout(wait);
          if (greeted || ws.readyState !== ws.OPEN) return;
          greeted = true;
          ws.send(JSON.stringify({ type: 'hello', serverTime: Date.now() }));
        };
        const wait = setTimeout(hello, HELLO_WAIT_MS);
        ready.then(hello, () => undefined);
      });
      return;
    }

    const discussionId = syncMatch[1];
    if (!isId(discussionId)) return refuse(socket, ErrorCode.DiscussionNotFound, 'Unknown discussion');
    const discussion = await deps.directory.discussionById(discussionId);
    if (!discussion) return refuse(socket, ErrorCode.DiscussionNotFound, 'Unknown discussion');
    const role = await deps.directory.memberRole(discussionId, user.id);
    if (!role) return refuse(socket, ErrorCode.NotMember, 'Not a member of this discussion');

    const session = await deps.docs.open(discussionId);
    if (socket.destroyed) return session.leave();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new SyncPeer(ws, user.id, role, user.role, deps.connection.maxBufferedBytes, (buffered) =>
        deps.connection.logger?.warn(
          { event: 'slow_reader', doc: discussionId, user: user.id, buffered },
          'slow reader disconnected',
        ),
      );
      register(ws, (code, reason) => peer.close(code, reason));
      attachSyncConnection(ws, session, peer, deps.connection);
    });
  }

  return {
    handle(req: IncomingMessage, socket: Duplex, head: Buffer) {
      socket.on('error', () => socket.destroy());
      handle(req, socket, head).catch(() => {
        if (!socket.destroyed) socket.destroy();
      });
    },
    close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(CloseCode.ServerShutdown, 'server shutting down');
      wss.close();
    },
  };
}
