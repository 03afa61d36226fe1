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
import { tokenFrom } from '../http/token.js';
import type { AuthService } from '../services/auth.js';
import type { Directory } from '../storage/types.js';
import { attachSyncConnection, SyncPeer, type ConnectionOptions } from './connection.js';
import type { DocManager } from './doc-manager.js';
import type { EventHub } from './events.js';

export interface UpgradeDeps {
  auth: AuthService;
  directory: Directory;
  docs: DocManager;
  events: EventHub;
  connection: ConnectionOptions;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
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
    const user = await deps.auth.authenticate(
      tokenFrom({ cookie: req.headers.cookie, authorization: req.headers.authorization }, url),
    );
    if (!user) return refuse(socket, ErrorCode.Unauthenticated, 'Authentication required');

    if (!syncMatch) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        track(ws);
        const remove = deps.events.add(user.id, {
          send: (data) => ws.send(data),
          close: (code, reason) => ws.close(code, reason),
        });
        ws.on('close', remove);
        ws.on('message', () => ws.close(CloseCode.MalformedFrame, 'this socket only sends'));
        ws.send(JSON.stringify({ type: 'hello', serverTime: Date.now() }));
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
      track(ws);
      attachSyncConnection(ws, session, new SyncPeer(ws, user.id, role, user.role), deps.connection);
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
