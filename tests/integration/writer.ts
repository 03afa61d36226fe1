/**
 * A writer as the web app writes: a DocSync client (reconnecting with backoff) on one discussion,
 * as one user, keeping the server's acknowledgements (`acked`, and how many came: `acks`).
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { acknowledge, DocSync, type ReadCursor } from '@palabre/shared';
import type { TestUser } from './helpers.js';

export interface Writer {
  user: TestUser;
  doc: Y.Doc;
  sync: DocSync;
  acked: ReadCursor | undefined;
  acks: number;
}

export type WriterOptions = Omit<ConstructorParameters<typeof DocSync>[1], 'url' | 'socket'>;

/** Connects at once to the server at url (http://host:port, or a proxy in front of it). */
export function startWriter(
  url: string,
  discussionId: string,
  user: TestUser,
  options: WriterOptions,
): Writer {
  const doc = new Y.Doc();
  const sync = new DocSync(doc, {
    url: `${url.replace(/^http/, 'ws')}/sync/${discussionId}?token=${user.token}`,
    socket: (to) => new WebSocket(to) as never,
    ...options,
  });
  const writer: Writer = { user, doc, sync, acked: undefined, acks: 0 };
  sync.on('ack', (sv) => {
    writer.acked = acknowledge(writer.acked, sv) ?? writer.acked;
    writer.acks++;
  });
  sync.connect();
  return writer;
}
