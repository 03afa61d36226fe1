/** Logins, sessions and the users directory. */
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, newId, type OrgRole, type PublicUser } from '@palabre/shared';
import { AppError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Directory, SessionRow, UserRow } from '../storage/types.js';
import type { AuditLog } from './audit.js';
import type { Throttle } from './login-throttle.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';

export const toPublicUser = (u: UserRow): PublicUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  disabled: u.disabled,
});

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const sessionId = () => randomBytes(10).toString('hex');

/**
 * Writing lastSeenAt on every request would cost a write per request: once a minute is enough
 * (or a quarter of the idle timeout, when it is short).
 */
const TOUCH_EVERY_MS = 60_000;

/** Who is asking: for throttling, the audit log and the sessions list. */
export interface ClientInfo {
  address: string;
  userAgent: string | null;
}

export interface AuthOptions {
  limits: Pick<Limits, 'sessionTtlMs' | 'sessionIdleMs'>;
  /** A LoginThrottle, or one every node shares (sync/shared-throttle.ts). */
  throttle?: Throttle;
  audit?: AuditLog;
  /** Sessions that just ended (revoked, logged out elsewhere): their open sockets close with 4401. */
  onSessionsEnded?: (sessionIds: string[]) => void;
  now?: () => number;
}

/** A throttled login: app.onError adds `Retry-After` from details.retryAfterSeconds. */
export class TooManyAttempts extends AppError {
  constructor(readonly retryAfterMs: number) {
    super(ErrorCode.TooManyAttempts, 'Too many failed attempts: try again later', {
      retryAfterSeconds: Math.ceil(retryAfterMs / 1000),
    });
  }
}

export class AuthService {
  private readonly now: () => number;

  constructor(
    private readonly directory: Directory,
    private readonly options: AuthOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get sessionTtlMs(): number {
    return this.options.limits.sessionTtlMs;
  }

  async createUser(input: {
    username: string;
    displayName: string;
    password: string;
    role?: OrgRole;
  }): Promise<UserRow> {
    const username = input.username.trim().toLowerCase();
    if (await this.directory.userByUsername(username))
      throw new AppError(ErrorCode.UsernameTaken, `The username "${username}" is already taken`);
    const user: UserRow = {
      id: newId(),
      username,
      displayName: input.displayName.trim(),
      passwordHash: await hashPassword(input.password),
      role: input.role ?? 'user',
      disabled: false,
      createdAt: this.now(),
    };
    await this.directory.insertUser(user);
    return user;
  }

  /**
   * Check credentials and open a session. The answer and the work done (one scrypt) are the
   * same whether the account exists or not. Throttled per account and per address: a locked
   * attempt is refused (429) before the password is even looked at.
   */
  async login(
    username: string,
    password: string,
    client: ClientInfo = { address: 'unknown', userAgent: null },
  ): Promise<{ token: string; user: UserRow }> {
    const name = username.trim().toLowerCase();
    const wait = this.options.throttle?.retryAfterMs(name, client.address) ?? 0;
    if (wait > 0) throw new TooManyAttempts(wait);
    const user = await this.directory.userByUsername(name);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.options.throttle?.failed(name, client.address);
      await this.options.audit?.record({
        actorId: user?.id ?? '',
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user?.id ?? '',
        details: { username: name.slice(0, 64), address: client.address, known: !!user },
      });
      throw new AppError(ErrorCode.InvalidCredentials, 'Wrong username or password');
    }
    this.options.throttle?.succeeded(name);
    if (user.disabled) throw new AppError(ErrorCode.AccountDisabled, 'This account is disabled');
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.directory.insertSession({
      id: sessionId(),
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: now,
      expiresAt: now + this.options.limits.sessionTtlMs,
      label: null,
      lastSeenAt: now,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
    });
    return { token, user };
  }

  /** A long-lived token for scripts, shown once; stored hashed like a session. */
  async createApiToken(userId: string, label: string, ttlDays = 365): Promise<string> {
    const token = `plb_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    await this.directory.insertSession({
      id: sessionId(),
      tokenHash: hashToken(token),
      userId,
      createdAt: now,
      expiresAt: now + ttlDays * 24 * 3600 * 1000,
      label,
      lastSeenAt: now,
      userAgent: null,
    });
    return token;
  }

  async logout(token: string): Promise<void> {
    const session = await this.directory.sessionByTokenHash(hashToken(token));
    if (!session) return;
    await this.end([session]);
  }

  /** The user behind a session token, or null when it is unknown, expired, idle too long or disabled. */
  async authenticate(token: string | null | undefined): Promise<UserRow | null> {
    return (await this.authenticateSession(token))?.user ?? null;
  }

  async authenticateSession(
    token: string | null | undefined,
  ): Promise<{ user: UserRow; session: SessionRow } | null> {
    if (!token || token.length > 200) return null;
    const session = await this.directory.sessionByTokenHash(hashToken(token));
    if (!session) return null;
    const now = this.now();
    const idle = session.label === null && now - session.lastSeenAt > this.options.limits.sessionIdleMs;
    if (session.expiresAt < now || idle) {
      await this.end([session]);
      return null;
    }
    const user = await this.directory.userById(session.userId);
    if (!user || user.disabled) return null;
    if (now - session.lastSeenAt > this.touchEvery) {
      await this.directory.touchSession(session.tokenHash, now);
      session.lastSeenAt = now;
    }
    return { user, session };
  }

  private get touchEvery(): number {
    return Math.min(TOUCH_EVERY_MS, this.options.limits.sessionIdleMs / 4);
  }

  /** A connection is still in use: keeps its session from expiring for inactivity. */
  async touch(session: SessionRow): Promise<void> {
    const now = this.now();
    if (now - session.lastSeenAt <= this.touchEvery) return;
    session.lastSeenAt = now;
    await this.directory.touchSession(session.tokenHash, now);
  }

  /** The user's browser sessions, most recently used first. */
  sessionsOf(userId: string): Promise<SessionRow[]> {
    return this.directory.browserSessionsOf(userId);
  }

  /** End one of the user's own sessions (its sockets close at once). */
  async endSession(userId: string, id: string): Promise<SessionRow> {
    const session = await this.directory.sessionById(id);
    if (!session || session.userId !== userId || session.label !== null)
      throw new AppError(ErrorCode.SessionNotFound, 'Unknown session');
    await this.end([session]);
    return session;
  }

  /** End every browser session of the user but the one given. Returns how many ended. */
  async endOtherSessions(userId: string, keepId: string): Promise<number> {
    const others = (await this.directory.browserSessionsOf(userId)).filter((s) => s.id !== keepId);
    await this.end(others);
    return others.length;
  }

  listApiTokens(): Promise<SessionRow[]> {
    return this.directory.allApiTokens();
  }

  /** Revoke an API token: refused from the next request on, its sockets closed at once. */
  async revokeApiToken(id: string): Promise<SessionRow> {
    const session = await this.directory.sessionById(id);
    if (!session || session.label === null) throw new AppError(ErrorCode.TokenNotFound, 'Unknown API token');
    await this.end([session]);
    return session;
  }

  private async end(sessions: SessionRow[]): Promise<void> {
    for (const s of sessions) await this.directory.deleteSession(s.tokenHash);
    if (sessions.length > 0) this.options.onSessionsEnded?.(sessions.map((s) => s.id));
  }
}
