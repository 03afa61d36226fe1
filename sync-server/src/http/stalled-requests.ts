/**
 * Drop connections that do not complete a request's headers in time (slowloris, or a socket
 * opened and left silent), WebSocket upgrades included: those are not authenticated yet and
 * must not hold a file descriptor for long. Node's own headersTimeout did not drop either case
 * in our tests (Node 20), so this arms one timer per connection: from accept (and after each
 * response, for the next request on a keep-alive connection) until the next request or upgrade.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export function dropStalledRequests(server: Server, timeoutMs: number): void {
  const timers = new WeakMap<Socket, ReturnType<typeof setTimeout>>();
  const disarm = (socket: Socket) => {
    clearTimeout(timers.get(socket));
    timers.delete(socket);
  };
  const arm = (socket: Socket) => {
    disarm(socket);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    timer.unref();
    timers.set(socket, timer);
  };
  server.on('connection', (socket: Socket) => {
    arm(socket);
    socket.once('close', () => disarm(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    disarm(socket);
    res.once('finish', () => {
      if (!socket.destroyed) arm(socket);
    });
  });
  server.on('upgrade', (req) => disarm(req.socket));
}
