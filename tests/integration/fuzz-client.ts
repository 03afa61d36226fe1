/**
 * The fuzz test's attacker: a WebSocket client written on a bare TCP socket, so that the
 * hundreds of thousands of reconnections a long fuzz run needs cost the server's work and
 * little else. It sends the upgrade request with a Bearer token, masked binary frames (mask
 * key 0, which the protocol allows), and reads only what it needs of the server's frames: the
 * greeting, awareness answers and the close. The server under test is the real one, reached
 * over a real socket; only the attacker's side is lean.
 *
 * Most fuzzed frames end the connection, so the next connection is always opening while the
 * current one is in use.
 *
 * Knowing when the server handled a frame: the frame is followed by a query for awareness
 * (message 3), answered only once the frame went through the document's queue. An answer is
 * told apart from awareness changes relayed from other connections by its content (it lists
 * every present client, among them `answerIds`), and a fuzzed frame that is itself a query
 * (as the server's own parser reads it) is expected to be answered too.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import * as decoding from 'lib0/decoding';
import { readFrame } from '@palabre/shared';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const OPCODE_BINARY = 2;
const OPCODE_CLOSE = 8;
const SPARES = 2;

/** Whether an awareness message lists all of `ids` (the answer to a query lists every client). */
function listsAll(payload: Buffer, ids: number[]): boolean {
  try {
    const d = decoding.createDecoder(payload);
    decoding.readVarUint(d);
    const u = decoding.createDecoder(decoding.readVarUint8Array(d));
    const found = new Set<number>();
    for (let n = decoding.readVarUint(u); n > 0; n--) {
      found.add(decoding.readVarUint(u));
      decoding.readVarUint(u);
      decoding.readVarString(u);
    }
    return ids.every((id) => found.has(id));
  } catch {
    return false;
  }
}

/** One upgraded connection: frames out, and a callback for each answer to a query in. */
class Connection {
  open = true;
  /** Whether the greeting (the server's step 1 and the awareness states) came. */
  greeted = false;
  private greetingStep1 = false;
  private buffered: Buffer = Buffer.alloc(0);
  private upgraded = false;
  onAwareness: () => void = () => {};
  onClose: () => void = () => {};
  onUpgraded: () => void = () => {};

  constructor(
    private readonly socket: Socket,
    private readonly answerIds: number[],
    private readonly onRefused: (status: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('close', () => this.closed());
    socket.on('error', () => {});
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.socket.destroy();
    this.onClose();
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (!this.upgraded) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = this.buffered.subarray(0, this.buffered.indexOf('\r\n')).toString();
      if (!status.startsWith('HTTP/1.1 101')) {
        this.onRefused(status);
        return this.closed();
      }
      this.upgraded = true;
      this.buffered = this.buffered.subarray(end + 4);
      this.onUpgraded();
    }
    while (this.buffered.length >= 2) {
      const opcode = this.buffered[0] & 0x0f;
      let length = this.buffered[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffered.length < 4) return;
        length = this.buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffered.length < 10) return;
        length = Number(this.buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffered.length < offset + length) return;
      const payload = this.buffered.subarray(offset, offset + length);
      this.buffered = this.buffered.subarray(offset + length);
      if (opcode === OPCODE_CLOSE) return this.closed();
      if (opcode === OPCODE_BINARY && payload.length > 0) this.message(payload);
    }
  }

  private message(payload: Buffer): void {
    if (!this.greeted) {
      // The greeting, sent before anything a frame causes: the server's step 1, then (the
      // witness being connected) the awareness states, which are not an answer.
      if (payload[0] === MESSAGE_SYNC) this.greetingStep1 = true;
      else if (payload[0] === MESSAGE_AWARENESS && this.greetingStep1) this.greeted = true;
      return;
    }
    if (payload[0] === MESSAGE_AWARENESS && listsAll(payload, this.answerIds)) this.onAwareness();
  }

  send(data: Uint8Array): void {
    if (!this.open) return;
    const length = data.byteLength;
    const header =
      length < 126
        ? Buffer.from([0x82, 0x80 | length, 0, 0, 0, 0])
        : length < 65536
          ? Buffer.from([0x82, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0])
          : (() => {
              const h = Buffer.alloc(14);
              h[0] = 0x82;
              h[1] = 0x80 | 127;
              h.writeBigUInt64BE(BigInt(length), 2);
              return h;
            })();
    // Mask key 0: the masked payload is the payload itself.
    this.socket.write(Buffer.concat([header, data]));
  }

  terminate(): void {
    this.socket.destroy();
  }
}

function isQuery(frame: Uint8Array): boolean {
  try {
    return readFrame(frame).type === 'query-awareness';
  } catch {
    return false;
  }
}

export interface FuzzClientOptions {
  host: string;
  port: number;
  path: string;
  token: string;
  /** Awareness client ids always present (the witness's): an answer to a query lists them. */
  answerIds: number[];
  /**
   * How long to wait for a frame to be handled before counting a stall and moving on (long: on
   * a loaded machine the process may not run for seconds, and then its timers fire first).
   */
  stallMs?: number;
}

/**
 * Sends one frame at a time and waits until the server handled it: the frame is followed by a
 * query for awareness (message 3), whose answer comes after the frame went through the
 * document's queue; a close means the server ended the connection over it.
 */
export class FuzzClient {
  private current: Connection | null = null;
  /** Connections opening or open, not used yet: reconnecting costs no waiting. */
  private spares: Promise<Connection>[] = [];
  private waiting: (() => void) | null = null;
  /** Answers still to come for the frame in flight. */
  private expected = 0;
  /** Connections the server closed, frames not answered within stallMs, upgrades refused. */
  closes = 0;
  stalls = 0;
  refusals: string[] = [];

  constructor(private readonly options: FuzzClientOptions) {}

  private request(): string {
    const { host, port, path, token } = this.options;
    return (
      `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: cGFsYWJyZS1mdXp6LWtleQ==\r\nSec-WebSocket-Version: 13\r\n` +
      `Authorization: Bearer ${token}\r\n\r\n`
    );
  }

  private open(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(this.options.port, this.options.host);
      const connection = new Connection(socket, this.options.answerIds, (status) => {
        this.refusals.push(status);
        reject(new Error(`upgrade refused: ${status}`));
      });
      let upgraded = false;
      connection.onUpgraded = () => {
        upgraded = true;
        resolve(connection);
      };
      connection.onClose = () => {
        if (!upgraded) reject(new Error('closed before the upgrade'));
        if (this.current === connection) {
          this.closes++;
          this.current = null;
          this.release();
        }
      };
      connection.onAwareness = () => {
        if (this.current === connection && --this.expected === 0) this.release();
      };
      socket.write(this.request());
    });
  }

  private next(): Promise<Connection> {
    while (this.spares.length < SPARES + 1) {
      const spare = this.open();
      spare.catch(() => {});
      this.spares.push(spare);
    }
    return this.spares.shift()!;
  }

  private release(): void {
    const w = this.waiting;
    this.waiting = null;
    this.expected = 0;
    w?.();
  }

  async send(frame: Uint8Array): Promise<void> {
    while (!this.current || !this.current.open) {
      this.current = null;
      try {
        this.current = await this.next();
      } catch (err) {
        if (this.refusals.length > 0) throw err;
      }
    }
    const connection = this.current;
    let timer: NodeJS.Timeout | undefined;
    const handled = new Promise<void>((resolve) => {
      this.waiting = resolve;
      timer = setTimeout(() => {
        this.stalls++;
        this.release();
      }, this.options.stallMs ?? 10_000);
    });
    this.expected = isQuery(frame) ? 2 : 1;
    connection.send(frame);
    connection.send(Uint8Array.of(3));
    await handled;
    clearTimeout(timer);
  }

  close(): void {
    this.current?.terminate();
    for (const spare of this.spares) void spare.then((c) => c.terminate()).catch(() => {});
  }
}
