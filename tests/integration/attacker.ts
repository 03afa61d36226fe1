/**
 * A hand-crafted client for rule tests: a raw WebSocket that speaks the y-websocket bytes
 * itself, holds a replica of the document, and sends whatever update a test builds.
 */
import * as Y from 'yjs';
import { readFrame, step1Frame, SyncStep, updateFrame } from '@palabre/shared';
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
  const handle = (data: Uint8Array) => {
    const frame = readFrame(data);
    if (frame.type === 'sync' && frame.step !== SyncStep.Step1) {
      Y.applyUpdate(doc, frame.payload, 'server');
      if (frame.step === SyncStep.Step2) synced = true;
    } else if (frame.type === 'denied') {
      deniedReason = frame.reason;
    }
  };
  socket.frames.splice(0).forEach(handle);
  socket.on('message', (data) => handle(new Uint8Array(data as ArrayBuffer)));
  // Ask for the whole document (sync step 1 with an empty state vector).
  socket.send(step1Frame(Y.encodeStateVector(new Y.Doc())));
  await until(() => synced, 5000, 'attacker sync');

  const sendUpdate = (update: Uint8Array) => socket.send(updateFrame(update));
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
