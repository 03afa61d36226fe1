/**
 * A hand-crafted client for rule tests: a raw WebSocket that speaks the y-websocket bytes
 * itself, holds a replica of the document, and sends whatever update a test builds.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { rawSocket, until, type RawSocket } from './helpers.js';

export interface Attacker {
  doc: Y.Doc;
  socket: RawSocket;
  /** Resolves with the close code when the server closes the connection. */
  closed: Promise<number>;
  /** The reason of a y-protocols permission-denied message, if one came. */
  denied(): string | null;
  /** Make a change on the local replica and send exactly that change as a sync update. */
  change(fn: (doc: Y.Doc) => void): Uint8Array;
  sendUpdate(update: Uint8Array): void;
}

export async function connectAttacker(
  serverUrl: string,
  discussionId: string,
  token: string,
): Promise<Attacker> {
  const socket = await rawSocket(`${serverUrl.replace(/^http/, 'ws')}/sync/${discussionId}?token=${token}`);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const doc = new Y.Doc();
  let deniedReason: string | null = null;
  let synced = false;
  const handle = (frame: Uint8Array) => {
    const d = decoding.createDecoder(frame);
    const type = decoding.readVarUint(d);
    if (type === 0) {
      const sub = decoding.readVarUint(d);
      if (sub === 1 || sub === 2) {
        Y.applyUpdate(doc, decoding.readVarUint8Array(d), 'server');
        if (sub === 1) synced = true;
      }
    } else if (type === 2) {
      decoding.readVarUint(d);
      deniedReason = decoding.readVarString(d);
    }
  };
  socket.frames.splice(0).forEach(handle);
  socket.on('message', (data) => handle(new Uint8Array(data as ArrayBuffer)));
  // Ask for the whole document (sync step 1 with an empty state vector).
  const ask = encoding.createEncoder();
  encoding.writeVarUint(ask, 0);
  encoding.writeVarUint(ask, 0);
  encoding.writeVarUint8Array(ask, Y.encodeStateVector(new Y.Doc()));
  socket.send(encoding.toUint8Array(ask));
  await until(() => synced, 5000, 'attacker sync');

  const sendUpdate = (update: Uint8Array) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
    socket.send(encoding.toUint8Array(e));
  };
  return {
    doc,
    socket,
    closed,
    denied: () => deniedReason,
    sendUpdate,
    change(fn) {
      const before = Y.encodeStateVector(doc);
      fn(doc);
      const update = Y.encodeStateAsUpdate(doc, before);
      sendUpdate(update);
      return update;
    },
  };
}
