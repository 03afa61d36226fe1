/** Logins, sessions and the users directory. */
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, newId, type OrgRole, type PublicUser } from '@palabre/shared';
import { AppError } from '../errors.js';
import type { Directory, UserRow } from '../storage/types.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export const toPublicUser = (u: UserRow): PublicUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  disabled: u.disabled,
});

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export class AuthService {
  constructor(
    private readonly directory: Directory,
    private readonly now: () => number = Date.now,
  ) {}

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

  /** Check credentials and open a session. The error never says whether the user exists. */
  async login(username: string, password: string): Promise<{ token: string; user: UserRow }> {
    const user = await this.directory.userByUsername(username.trim().toLowerCase());
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) throw new AppError(ErrorCode.InvalidCredentials, 'Wrong username or password');
    if (user.disabled) throw new AppError(ErrorCode.AccountDisabled, 'This account is disabled');
    const token = randomBytes(32).toString('base64url');
    await this.directory.insertSession({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: this.now(),
      expiresAt: this.now() + SESSION_TTL_MS,
      label: null,
    });
    return { token, user };
  }

  /** A long-lived token for scripts, shown once; stored hashed like a session. */
  async createApiToken(userId: string, label: string, ttlDays = 365): Promise<string> {
    const token = `plb_${randomBytes(32).toString('base64url')}`;
    await this.directory.insertSession({
      tokenHash: hashToken(token),
      userId,
      createdAt: this.now(),
      expiresAt: this.now() + ttlDays * 24 * 3600 * 1000,
      label,
    });
    return token;
  }

  async logout(token: string): Promise<void> {
    await this.directory.deleteSession(hashToken(token));
  }

  /** The user behind a session token, or null when it is unknown, expired or disabled. */
  async authenticate(token: string | null | undefined): Promise<UserRow | null> {
    if (!token || token.length > 200) return null;
    const session = await this.directory.sessionByTokenHash(hashToken(token));
    if (!session) return null;
    if (session.expiresAt < this.now()) {
      await this.directory.deleteSession(session.tokenHash);
      return null;
    }
    const user = await this.directory.userById(session.userId);
    return user && !user.disabled ? user : null;
  }
}
