/**
 * Structured logs: one JSON line per event on stdout, for the supervisor (systemd's journal,
 * docker, ...) to collect. Every server module logs through a Logger it is given, never through
 * console, so tests can pass a silent one and production gets levels and redaction.
 *
 * A line is `level` (its name), `time` (ISO 8601), `pid`, the child's bindings (`reqId`), the
 * event's fields and `msg`, in that order: the lines pino wrote before this small writer replaced
 * it (pino and its helpers cost about 1 MiB resident at idle: ARCHITECTURE.md, "Idle memory").
 * An Error under any field is written as `{ type, message, stack, ...its own fields }`. Lines are written synchronously, so a line logged just before a crash or an exit
 * is not lost in a buffer.
 *
 * Secrets never reach a log line: the keys below are replaced by "[redacted]" wherever they appear
 * at the top level, one object down, or in a `headers` object one level down; request logs carry
 * the path without its query string (`?token=` is how WebSocket clients authenticate).
 */
import { writeSync } from 'node:fs';

const SECRET_KEYS = new Set([
  'password',
  'token',
  'cookie',
  'authorization',
  'set-cookie',
  'passwordHash',
  'tokenHash',
]);
const REDACTED = '[redacted]';

const LEVELS = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10, silent: Infinity };
export type Level = Exclude<keyof typeof LEVELS, 'silent'>;
type Fields = Record<string, unknown>;
type LogFn = (fields: Fields, msg?: string) => void;

export interface Logger {
  readonly level: keyof typeof LEVELS;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  /** A logger that adds `bindings` to each of its lines (after `pid`, before the event's fields). */
  child(bindings: Fields): Logger;
}

/** Where lines go: anything with a write(string) (a Writable in tests); stdout by default. */
export interface DestinationStream {
  write(line: string): unknown;
}

export interface LoggerOptions {
  /** `LOG_LEVEL`: fatal, error, warn, info (default), debug, trace or silent. */
  level?: string;
  destination?: DestinationStream;
}

/** Synchronous writes to fd 1; a full non-blocking pipe (EAGAIN) is waited out, not dropped. */
const stdout: DestinationStream = {
  write(line: string) {
    let buf = Buffer.from(line);
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(1, buf));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  },
};

function serializeError(err: Error): Fields {
  const out: Fields = { type: err.constructor?.name ?? 'Error', message: err.message, stack: err.stack };
  for (const [k, v] of Object.entries(err)) if (!(k in out)) out[k] = v;
  if (err.cause !== undefined) out.cause = err.cause instanceof Error ? serializeError(err.cause) : err.cause;
  return out;
}

const isPlain = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Error);

/** Secret keys replaced at depth 0 and 1 and in `<field>.headers`; errors made plain. */
function redact(fields: Fields, depth: number): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEYS.has(k)) out[k] = REDACTED;
    else if (v instanceof Error) out[k] = serializeError(v);
    else if (depth === 0 && isPlain(v)) out[k] = redact(v, 1);
    else if (depth === 1 && k === 'headers' && isPlain(v)) out[k] = redact(v, 2);
    else out[k] = v;
  }
  return out;
}

/** JSON that never throws: a cycle becomes "[Circular]" (an object seen twice elsewhere is kept), a bigint its decimal string. */
function stringify(value: Fields): string {
  const ancestors: object[] = [];
  return JSON.stringify(value, function (this: unknown, _k, v: unknown) {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object' || v === null) return v;
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(v)) return '[Circular]';
    ancestors.push(v);
    return v;
  });
}

function makeLogger(threshold: keyof typeof LEVELS, dest: DestinationStream, prefix: Fields): Logger {
  const min = LEVELS[threshold];
  const at =
    (level: Level): LogFn =>
    (fields, msg) => {
      if (LEVELS[level] < min) return;
      const line: Fields = { level, time: new Date().toISOString(), ...prefix, ...redact(fields, 0) };
      if (msg !== undefined) line.msg = msg;
      dest.write(`${stringify(line)}\n`);
    };
  return {
    level: threshold,
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: (bindings) => makeLogger(threshold, dest, { ...prefix, ...redact(bindings, 0) }),
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level =
    options.level && Object.hasOwn(LEVELS, options.level) ? (options.level as keyof typeof LEVELS) : 'info';
  return makeLogger(level, options.destination ?? stdout, { pid: process.pid });
}

/** For tests and library use: logs nothing. */
export const silentLogger: Logger = makeLogger('silent', stdout, {});
