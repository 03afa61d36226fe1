/**
 * Benchmark child: the reference relay, @y/websocket-server's own connection handler on a plain
 * HTTP server (127.0.0.1, port 0). It checks nothing and stores nothing: documents live in
 * memory for the life of the process. Room = URL path, as in its bundled server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Y from 'yjs';
import { docs, getYDoc, setupWSConnection } from '@y/websocket-server/utils';
import { buildHistory } from './history.js';
import { serveCommands } from './protocol.js';
import { WebSocketServer } from './ws.js';

const wss = new WebSocketServer({ noServer: true });
const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('okay');
});
http.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws as never, req));
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

serveCommands(
  (http.address() as AddressInfo).port,
  {
    seed({ docId, count, authors }) {
      const update = buildHistory(count, authors, { id: docId, createdBy: authors[0] });
      Y.applyUpdate(getYDoc(docId), update);
      return { bytes: update.byteLength };
    },
    isLoaded: ({ docId }) => docs.has(docId),
  },
  async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  },
);
