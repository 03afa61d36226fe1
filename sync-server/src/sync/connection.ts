/**
 * One y-websocket connection to one discussion.
 *
 * Protocol (shared/src/sync/frames.ts): sync [step 1 (state vector) | step 2 (update) | update],
 * awareness, or query awareness. On open the server sends its step 1 and the current awareness
 * states. A client's step 2 and updates are decoded, checked (shared/validation), applied to the
 * server's document, committed to storage and only then relayed (DocSession.commit). A frame that
 * cannot be decoded closes this connection with MalformedFrame; the document and every other
 * connection are untouched.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  applyKeepingCursor,
  awarenessFrame,
  checkUpdate,
  CloseCode,
  permissionDeniedFrame,
  readFrame,
  RuleCode,
  step1Frame,
  step2Frame,
  SyncStep,
  TruncatedFrame,
  type OrgRole,
  type Role,
  type RuleContext,
} from '@palabre/shared';
import type { Logger } from '../log.js';
import type { DocSession, Peer } from './doc-manager.js';
import { TokenBucket } from './token-bucket.js';

/** How many times in a row the server asks a client to fill the gaps of its updates. */
export const MAX_GAP_ASKS = 3;

export interface SocketLike {
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code: number, reason: string): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Drop the connection without a closing handshake (a client that does not read gets nothing more). */
  terminate?(): void;
}

export interface ConnectionOptions {
  maxFrameBytes: number;
  /** Flood limits per connection (limits.ts); a connection over them is closed with 4429. */
  framesPerSecond: number;
  framesBurst: number;
  bytesPerSecond: number;
  bytesBurst: number;
  /** A client that does not read is dropped once this much waits in its send buffer. */
  maxBufferedBytes: number;
  /** Check every update against the document rules (shared/validation); off only in benchmarks. */
  validate: boolean;
  logger?: Logger;
  /**
   * What the rules need beyond the document (the discussion's files), read before each check;
   * `fresh`: read from storage again (asked once before refusing an attachment as `foreign_file`).
   */
  ruleContext?: (docId: string, options?: { fresh?: boolean }) => Promise<RuleContext>;
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
    /** Past this many bytes waiting to be sent, the peer is dropped (it is not reading). */
    private readonly maxBufferedBytes = Infinity,
    private readonly onSlow?: (buffered: number) => void,
  ) {}

  send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== 1) return;
    if (this.socket.bufferedAmount + frame.byteLength > this.maxBufferedBytes) {
      // Growing the buffer would let one client that never reads hold server memory without
      // bound. A close frame would wait behind the same buffer: drop the connection instead.
      this.onSlow?.(this.socket.bufferedAmount);
      this.closed = true;
      if (this.socket.terminate) this.socket.terminate();
      else this.socket.close(CloseCode.TooSlow, 'not reading');
      return;
    }
    this.socket.send(frame, (err) => {
      if (err) this.close(CloseCode.ServerShutdown, 'send failed');
    });
  }

  close(code: CloseCode, reason: string): void {
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
  session: DocSession,
  peer: SyncPeer,
  options: ConnectionOptions,
): void {
  const { doc, awareness } = session;
  session.join(peer);
  const frames = new TokenBucket(options.framesPerSecond, options.framesBurst);
  const bytes = new TokenBucket(options.bytesPerSecond, Math.max(options.bytesBurst, options.maxFrameBytes));

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (peer.isClosed) return;
    if (!isBinary) return peer.close(CloseCode.MalformedFrame, 'text frames are not part of the protocol');
    if (data.byteLength > options.maxFrameBytes) {
      options.logger?.warn(
        { event: 'frame_too_large', doc: session.id, user: peer.userId, bytes: data.byteLength },
        'frame too large',
      );
      return peer.close(CloseCode.TooLarge, `frame exceeds ${options.maxFrameBytes} bytes`);
    }
    // Checked before the frame is queued: a flood never reaches the document's queue.
    if (!frames.take(1) || !bytes.take(data.byteLength)) {
      options.logger?.warn({ event: 'rate_limited', doc: session.id, user: peer.userId }, 'rate limited');
      return peer.close(CloseCode.RateLimited, 'too many updates: slow down');
    }
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    session
      .run(() => handleFrame(frame))
      .catch((err: unknown) => {
        if (err instanceof FrameError || err instanceof TruncatedFrame) {
          options.logger?.warn(
            { event: 'malformed_frame', doc: session.id, user: peer.userId, reason: err.message },
            'malformed frame',
          );
          peer.close(CloseCode.MalformedFrame, err.message);
        } else failed(err);
      });
  });

  /** Storage failed or the update broke the document: drop memory state, reload from disk. */
  function failed(err: unknown): void {
    options.logger?.error({ event: 'sync_failed', doc: session.id, err }, 'sync failed');
    session.fail();
  }

  socket.on('close', () => {
    if (peer.awarenessIds.size > 0)
      awarenessProtocol.removeAwarenessStates(awareness, [...peer.awarenessIds], peer);
    session.leave();
  });
  socket.on('error', () => peer.close(CloseCode.MalformedFrame, 'socket error'));

  // Greet: our state vector (the client answers with what we lack) and who is here.
  session
    .run(async () => {
      await session.commit();
      peer.send(ourStep1());
      const states = awareness.getStates();
      if (states.size > 0) peer.send(awarenessOf([...states.keys()]));
    })
    .catch(failed);

  /**
   * Our state vector as a sync step 1: the greeting, the acknowledgement, a request to resend.
   * The client takes it as an acknowledgement: commit before (memory then equals storage).
   */
  function ourStep1(): Uint8Array {
    return step1Frame(Y.encodeStateVector(doc));
  }

  function awarenessOf(clients: number[]): Uint8Array {
    return awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  }

  async function handleFrame(data: Uint8Array): Promise<void> {
    if (peer.isClosed) return;
    const frame = readFrame(data);
    if (frame.type === 'sync' && frame.step === SyncStep.Step1) {
      await session.commit();
      let reply: Uint8Array;
      try {
        reply = Y.encodeStateAsUpdate(doc, frame.payload);
      } catch {
        throw new FrameError('invalid state vector');
      }
      peer.send(step2Frame(reply));
    } else if (frame.type === 'sync') {
      // A step 2 is the client's answer to one of our step 1s.
      if (frame.step === SyncStep.Step2) askOutstanding = false;
      await applyFromPeer(frame.payload);
    } else if (frame.type === 'awareness') {
      applyAwareness(frame.update);
    } else if (frame.type === 'query-awareness') {
      peer.send(awarenessOf([...awareness.getStates().keys()]));
    } else if (frame.type === 'unknown' && frame.step !== undefined) {
      throw new FrameError(`unknown sync message ${frame.step}`);
    } else {
      throw new FrameError(`unknown message type ${data[0]}`);
    }
  }

  /** Refuse an update: the rule code in a y-protocols permission-denied message, then 4422. */
  function refuse(code: RuleCode, message: string): void {
    options.logger?.info(
      { event: 'update_rejected', doc: session.id, user: peer.userId, rule: code },
      'update rejected',
    );
    peer.send(permissionDeniedFrame(`${code}: ${message}`));
    peer.close(CloseCode.UpdateRejected, code);
  }

  // Asking for the complete difference when an update has gaps: one question at a time (its
  // answer, a step 2, carries every update sent meanwhile), MAX_GAP_ASKS at most in a row.
  let asks = 0;
  let askOutstanding = false;
  async function applyFromPeer(update: Uint8Array): Promise<void> {
    // Decoding the whole update before anything of it touches the document means a truncated
    // or forged one is refused whole. The rule check decodes it anyway; without it, decode alone.
    const check = (context: RuleContext) => {
      try {
        return checkUpdate(
          doc,
          update,
          { userId: peer.userId, role: peer.role, orgRole: peer.orgRole },
          context,
        );
      } catch {
        throw new FrameError('undecodable update');
      }
    };
    let verdict: ReturnType<typeof checkUpdate> | null = null;
    if (options.validate) {
      verdict = check((await options.ruleContext?.(session.id)) ?? {});
      // A file this node does not know may have been uploaded through another node since it read
      // the discussion's files: read them from storage again, once, and check again before
      // refusing. Rare (an upload elsewhere, or a forged reference), so free in the usual case;
      // still on the document's queue, and applied right after the second check as after a first.
      if (!verdict.ok && verdict.code === RuleCode.ForeignFile && options.ruleContext)
        verdict = check(await options.ruleContext(session.id, { fresh: true }));
    } else {
      try {
        Y.decodeUpdate(update);
      } catch {
        throw new FrameError('undecodable update');
      }
    }
    if (verdict) {
      if (!verdict.ok) return refuse(verdict.code, verdict.message);
      if (verdict.missingDependencies) {
        // Items whose predecessors we lack cannot be checked: ask for the complete difference
        // (our step 1). A client whose answers still leave gaps after three questions holds a
        // state we cannot take: 4422, so it rebuilds from ours.
        if (askOutstanding) return;
        if (asks === MAX_GAP_ASKS)
          return refuse(
            RuleCode.UnknownReference,
            `updates still depend on unknown items after ${asks} requests`,
          );
        asks++;
        askOutstanding = true;
        await session.commit();
        peer.send(ourStep1());
        return;
      }
    }
    asks = 0;
    const written = verdict?.ok ? verdict.cursor : undefined;
    applyKeepingCursor(doc, peer.userId, () => Y.applyUpdate(doc, update, peer), 'server', written);
    // Only a stored change is acknowledged: the client answers an ack with a (usually empty)
    // step 2, which must not be acknowledged in turn. Stored with the updates queued behind this
    // one (group commit): not awaited here, the queue moves on to them.
    session.commitSoon().then((stored) => {
      if (stored) scheduleAck();
    }, failed);
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
      void session
        .run(async () => {
          ackScheduled = false;
          await session.commit();
          peer.send(ourStep1());
        })
        .catch(failed);
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
    if (changed.length > 0) session.broadcast(awarenessOf(changed), peer);
  }
}
