/**
 * Structured logs: one JSON line per event on stdout (pino), for the supervisor (systemd's
 * journal, docker, ...) to collect. Every server module logs through a Logger it is given, never
 * through console, so tests can pass a silent one and production gets levels and redaction.
 *
 * Secrets never reach a log line: the paths below are replaced by "[redacted]" wherever they
 * appear (top level or one object down), and request logs carry the path without its query
 * string (`?token=` is how WebSocket clients authenticate).
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'password',
  'token',
  'cookie',
  'authorization',
  'set-cookie',
  'passwordHash',
  'tokenHash',
];

/** pino redact paths: each secret key at the top level, one level down and in headers. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const k = /^[a-zA-Z_]\w*$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? k : `.${k}`;
  return [k, `*${dot}`, `*.headers${dot}`];
});

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** `LOG_LEVEL`: fatal, error, warn, info (default), debug, trace or silent. */
  level?: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = (LEVELS.includes(options.level ?? '') ? options.level : 'info') as LevelWithSilent;
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: a line logged just before a crash or an exit is not lost in a buffer.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** For tests and library use: logs nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
