/**
 * Every security limit of the server in one object, with its default and its environment
 * variable. docs/SECURITY.md and README.md list the same table; change them together.
 * Tests pass small values through ServerConfig.limits; main.ts reads the environment.
 */
// Not through the package index: there it comes with the schemas, which load on demand.
import { LIMITS } from '@palabre/shared/limits';

export interface Limits {
  /** Failed logins for one username before delays start (whatever the address). */
  loginFreeAttemptsPerAccount: number;
  /** Failed logins from one client address before delays start (whatever the username). */
  loginFreeAttemptsPerAddress: number;
  /** First delay after the free attempts; it doubles with every further failure. */
  loginBaseDelayMs: number;
  /** Longest delay for one account: an attacker can never lock a colleague out for longer. */
  loginMaxDelayAccountMs: number;
  /** Longest delay for one client address. */
  loginMaxDelayAddressMs: number;
  /** Failures are forgotten after this long without a new one. */
  loginForgetAfterMs: number;
  /** Absolute lifetime of a browser session. */
  sessionTtlMs: number;
  /** A browser session unused for this long ends (API tokens are not affected). */
  sessionIdleMs: number;
  /** Sync frames (updates, awareness, requests) per second a connection may send on average… */
  syncFramesPerSecond: number;
  /** …and in a burst. */
  syncFramesBurst: number;
  /** Sync bytes per second a connection may send on average… */
  syncBytesPerSecond: number;
  /** …and in a burst (at least one frame of maxFrameBytes). */
  syncBytesBurst: number;
  /** Largest sync frame accepted. */
  maxFrameBytes: number;
  /** Open WebSockets (sync and events) per user, all devices together. */
  socketsPerUser: number;
  /** An HTTP request (WebSocket upgrades included) whose headers are not complete by then is dropped. */
  handshakeTimeoutMs: number;
  /** A client that does not read: disconnected once this much is waiting in its send buffer. */
  maxBufferedBytes: number;
  /** Largest JSON request body. */
  jsonBodyBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  loginFreeAttemptsPerAccount: 5,
  loginFreeAttemptsPerAddress: 30,
  loginBaseDelayMs: 1000,
  loginMaxDelayAccountMs: 60_000,
  loginMaxDelayAddressMs: 5 * 60_000,
  loginForgetAfterMs: 15 * 60_000,
  sessionTtlMs: 30 * 24 * 3600_000,
  sessionIdleMs: 7 * 24 * 3600_000,
  syncFramesPerSecond: 50,
  syncFramesBurst: 500,
  syncBytesPerSecond: 1024 * 1024,
  syncBytesBurst: 4 * 1024 * 1024,
  maxFrameBytes: 1024 * 1024,
  socketsPerUser: 50,
  handshakeTimeoutMs: 10_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  jsonBodyBytes: LIMITS.jsonBodyBytes,
};

/** The environment variable of each limit (integers; durations in the unit the name says). */
export const LIMIT_ENV: Record<keyof Limits, { name: string; scale: number }> = {
  loginFreeAttemptsPerAccount: { name: 'PALABRE_LOGIN_FREE_ATTEMPTS_ACCOUNT', scale: 1 },
  loginFreeAttemptsPerAddress: { name: 'PALABRE_LOGIN_FREE_ATTEMPTS_ADDRESS', scale: 1 },
  loginBaseDelayMs: { name: 'PALABRE_LOGIN_BASE_DELAY_MS', scale: 1 },
  loginMaxDelayAccountMs: { name: 'PALABRE_LOGIN_MAX_DELAY_ACCOUNT_MS', scale: 1 },
  loginMaxDelayAddressMs: { name: 'PALABRE_LOGIN_MAX_DELAY_ADDRESS_MS', scale: 1 },
  loginForgetAfterMs: { name: 'PALABRE_LOGIN_FORGET_AFTER_MS', scale: 1 },
  sessionTtlMs: { name: 'PALABRE_SESSION_TTL_HOURS', scale: 3600_000 },
  sessionIdleMs: { name: 'PALABRE_SESSION_IDLE_HOURS', scale: 3600_000 },
  syncFramesPerSecond: { name: 'PALABRE_SYNC_FRAMES_PER_SECOND', scale: 1 },
  syncFramesBurst: { name: 'PALABRE_SYNC_FRAMES_BURST', scale: 1 },
  syncBytesPerSecond: { name: 'PALABRE_SYNC_BYTES_PER_SECOND', scale: 1 },
  syncBytesBurst: { name: 'PALABRE_SYNC_BYTES_BURST', scale: 1 },
  maxFrameBytes: { name: 'PALABRE_MAX_FRAME_BYTES', scale: 1 },
  socketsPerUser: { name: 'PALABRE_SOCKETS_PER_USER', scale: 1 },
  handshakeTimeoutMs: { name: 'PALABRE_HANDSHAKE_TIMEOUT_MS', scale: 1 },
  maxBufferedBytes: { name: 'PALABRE_MAX_BUFFERED_BYTES', scale: 1 },
  jsonBodyBytes: { name: 'PALABRE_MAX_JSON_BYTES', scale: 1 },
};

/** Limits from the environment; an unset variable keeps the default, a malformed one is an error. */
export function limitsFromEnv(env: Record<string, string | undefined>): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof Limits)[]) {
    const { name, scale } = LIMIT_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${name} must be a positive number, got "${raw}"`);
    limits[key] = Math.round(value * scale);
  }
  return limits;
}

export function withLimits(overrides: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
