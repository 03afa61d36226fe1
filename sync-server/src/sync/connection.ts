/**
 * One y-websocket connection to one discussion.
 *
 * Protocol (y-websocket, varuint-framed): [0 = sync, then y-protocols/sync: 0 step1 (state
 * vector) | 1 step2 (update) | 2 update] or [1 = awareness, update] or [3 = query awareness].
 * On open the server sends its step 1 and the current awareness states. A client's step 2 and
 * updates are decoded, applied to the server's document, committed to storage and only then
 * relayed (DocManager.commit). A frame that cannot be decoded closes this connection with
 * MalformedFrame; the document and every other connection are untouched.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as authProtocol from 'y-protocols/auth';
import { checkUpdate, CloseCode, mergeCursor, readsMap, type OrgRole, type Role } from '@palabre/shared';
import type { DocManager, LoadedDoc, Peer } from './doc-manager.js';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const MESSAGE_QUERY_AWARENESS = 3;

export interface SocketLike {
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code: number, reason: string): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  readonly readyState: number;
  readonly bufferedAmount: number;
}

export interface ConnectionOptions {
  maxFrameBytes: number;
  /** Check every update against the document rules (shared/validation); off only in benchmarks. */
  validate: boolean;
  log?: (event: string, details: Record<string, unknown>) => void;
}

class FrameError extends Error {}

export class SyncPeer implements Peer {
  private closed = false;
  /** Awareness client ids announced by this connection, removed when it closes. */
  readonly awarenessIds = new Set<number>();

  constructor(
    private readonly socket: SocketLike,
    readonly userId: string,
    readonly role: Role,
    readonly orgRole: OrgRole,
  ) {}

  send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== 1) return;
    this.socket.send(frame, (err) => {
      if (err) this.close(CloseCode.ServerShutdown, 'send failed');
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

export function attachSyncConnection(
  socket: SocketLike,
  loaded: LoadedDoc,
  manager: DocManager,
  peer: SyncPeer,
  options: ConnectionOptions,
): void {
  const { doc, awareness } = loaded;
  loaded.peers.add(peer);

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (peer.isClosed) return;
    if (!isBinary) return peer.close(CloseCode.MalformedFrame, 'text frames are not part of the protocol');
    if (data.byteLength > options.maxFrameBytes) {
      options.log?.('frame_too_large', { doc: loaded.id, user: peer.userId, bytes: data.byteLength });
      return peer.close(CloseCode.TooLarge, `frame exceeds ${options.maxFrameBytes} bytes`);
    }
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    manager
      .run(loaded, () => handleFrame(frame))
      .catch((err: unknown) => {
        if (err instanceof FrameError) {
          options.log?.('malformed_frame', { doc: loaded.id, user: peer.userId, reason: err.message });
          peer.close(CloseCode.MalformedFrame, err.message);
        } else {
          options.log?.('sync_failed', { doc: loaded.id, error: String(err) });
          // Storage failed or the update broke the document: drop memory state, reload from disk.
          void manager.evict(loaded, CloseCode.StorageFailed, 'storage failed');
        }
      });
  });

  socket.on('close', () => {
    loaded.peers.delete(peer);
    if (peer.awarenessIds.size > 0)
      awarenessProtocol.removeAwarenessStates(awareness, [...peer.awarenessIds], peer);
    manager.release(loaded);
  });
  socket.on('error', () => peer.close(CloseCode.MalformedFrame, 'socket error'));

  // Greet: our state vector (the client answers with what we lack) and who is here.
  void manager.run(loaded, () => {
    peer.send(step1Frame());
    const states = awareness.getStates();
    if (states.size > 0) peer.send(awarenessFrame([...states.keys()]));
  });

  /** Our state vector as a sync step 1: the greeting, the acknowledgement, a request to resend. */
  function step1Frame(): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, doc);
    return encoding.toUint8Array(encoder);
  }

  function awarenessFrame(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
    return encoding.toUint8Array(encoder);
  }

  async function handleFrame(frame: Uint8Array): Promise<void> {
    if (peer.isClosed) return;
    const decoder = decoding.createDecoder(frame);
    const type = read(() => decoding.readVarUint(decoder));
    if (type === MESSAGE_SYNC) {
      const subtype = read(() => decoding.readVarUint(decoder));
      if (subtype === syncProtocol.messageYjsSyncStep1) {
        const stateVector = read(() => decoding.readVarUint8Array(decoder));
        let reply: Uint8Array;
        try {
          reply = Y.encodeStateAsUpdate(doc, stateVector);
        } catch {
          throw new FrameError('invalid state vector');
        }
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
        encoding.writeVarUint8Array(encoder, reply);
        peer.send(encoding.toUint8Array(encoder));
      } else if (subtype === syncProtocol.messageYjsSyncStep2 || subtype === syncProtocol.messageYjsUpdate) {
        const update = read(() => decoding.readVarUint8Array(decoder));
        await applyFromPeer(update);
      } else {
        throw new FrameError(`unknown sync message ${subtype}`);
      }
    } else if (type === MESSAGE_AWARENESS) {
      const update = read(() => decoding.readVarUint8Array(decoder));
      applyAwareness(update);
    } else if (type === MESSAGE_QUERY_AWARENESS) {
      peer.send(awarenessFrame([...awareness.getStates().keys()]));
    } else {
      throw new FrameError(`unknown message type ${type}`);
    }
  }

  let gaps = 0;
  async function applyFromPeer(update: Uint8Array): Promise<void> {
    // Decoding the whole update before anything of it touches the document means a truncated
    // or forged one is refused whole. The rule check decodes it anyway; without it, decode alone.
    let verdict: ReturnType<typeof checkUpdate> | null = null;
    try {
      if (options.validate)
        verdict = checkUpdate(doc, update, { userId: peer.userId, role: peer.role, orgRole: peer.orgRole });
      else Y.decodeUpdate(update);
    } catch {
      throw new FrameError('undecodable update');
    }
    if (verdict) {
      if (!verdict.ok) {
        options.log?.('update_rejected', { doc: loaded.id, user: peer.userId, rule: verdict.code });
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_AUTH);
        authProtocol.writePermissionDenied(encoder, `${verdict.code}: ${verdict.message}`);
        peer.send(encoding.toUint8Array(encoder));
        peer.close(CloseCode.UpdateRejected, verdict.code);
        return;
      }
      if (verdict.missingDependencies) {
        // Items whose predecessors we lack cannot be checked. Ask once for the complete
        // difference (our step 1); the client's answer carries this update too. A client that
        // keeps sending gaps without ever filling them is made to reconnect and resync.
        if (++gaps > 50) {
          peer.close(CloseCode.MalformedFrame, 'updates with missing predecessors');
          return;
        }
        if (gaps === 1) {
          peer.send(step1Frame());
        }
        return;
      }
    }
    gaps = 0;
    const cursorBefore = readsMap(doc).get(peer.userId);
    Y.applyUpdate(doc, update, peer);
    const cursorAfter = readsMap(doc).get(peer.userId);
    if (cursorBefore && cursorAfter !== cursorBefore) {
      // Two devices of one user marked read concurrently: keep the union, never less.
      const merged = mergeCursor(cursorAfter, cursorBefore);
      if (merged) doc.transact(() => readsMap(doc).set(peer.userId, merged), 'server');
    }
    // Only a stored change is acknowledged: the client answers an ack with a (usually empty)
    // step 2, which must not be acknowledged in turn.
    if (await manager.commit(loaded)) scheduleAck();
  }

  /**
   * Tell the sender what is now stored: our state vector as a sync step 1, which the client
   * also answers with anything we still lack. Coalesced, so a burst of updates costs one ack.
   */
  let ackScheduled = false;
  function scheduleAck(): void {
    if (ackScheduled) return;
    ackScheduled = true;
    setImmediate(() => {
      void manager.run(loaded, () => {
        ackScheduled = false;
        peer.send(step1Frame());
      });
    });
  }

  function applyAwareness(update: Uint8Array): void {
    const decoder = decoding.createDecoder(update);
    const clients: number[] = [];
    try {
      const count = decoding.readVarUint(decoder);
      for (let i = 0; i < count; i++) {
        clients.push(decoding.readVarUint(decoder));
        decoding.readVarUint(decoder); // clock
        decoding.readVarString(decoder); // JSON state
      }
    } catch {
      throw new FrameError('undecodable awareness update');
    }
    for (const id of clients) peer.awarenessIds.add(id);
    // Forward only what our awareness accepted as new: clients re-broadcast what they receive,
    // so relaying echoes as they come would multiply every change by the number of peers.
    let changed: number[] = [];
    const onUpdate = (c: { added: number[]; updated: number[]; removed: number[] }) => {
      changed = c.added.concat(c.updated, c.removed);
    };
    awareness.on('update', onUpdate);
    try {
      awarenessProtocol.applyAwarenessUpdate(awareness, update, peer);
    } catch {
      throw new FrameError('invalid awareness state');
    } finally {
      awareness.off('update', onUpdate);
    }
    if (changed.length === 0) return;
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(frame, awarenessProtocol.encodeAwarenessUpdate(awareness, changed));
    const bytes = encoding.toUint8Array(frame);
    for (const other of loaded.peers) if (other !== peer) other.send(bytes);
  }
}

function read<T>(fn: () => T): T {
  try {
    return fn();
  } catch {
    throw new FrameError('truncated frame');
  }
}
