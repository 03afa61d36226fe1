/** Admin operations on accounts: edit, disable (logged out everywhere at once), reset password. */
import { CloseCode, ErrorCode, type OrgRole } from '@palabre/shared';
import { AppError } from '../errors.js';
import type { Directory, UserRow } from '../storage/types.js';
import type { AuditInput, AuditLog } from './audit.js';
import type { LiveDocs, Notifier } from './ports.js';
import type { AuthService } from './auth.js';
import { hashPassword } from './passwords.js';

export interface UserPatch {
  displayName?: string;
  role?: OrgRole;
  disabled?: boolean;
  password?: string;
}

export class UserAdminService {
  constructor(
    private readonly directory: Directory,
    private readonly auth: AuthService,
    private readonly docs: LiveDocs,
    private readonly events: Notifier,
    private readonly audit: AuditLog,
  ) {}

  /** One line of the audit log: what actor did to which user or token. */
  private record(
    actor: UserRow,
    action: AuditInput['action'],
    targetType: AuditInput['targetType'],
    targetId: string,
    details: AuditInput['details'],
  ): Promise<void> {
    return this.audit.record({ actorId: actor.id, action, targetType, targetId, details });
  }

  async create(actor: UserRow, input: Parameters<AuthService['createUser']>[0]): Promise<UserRow> {
    const user = await this.auth.createUser(input);
    await this.record(actor, 'user.create', 'user', user.id, { username: user.username, role: user.role });
    return user;
  }

  async update(actor: UserRow, userId: string, patch: UserPatch): Promise<UserRow> {
    const user = await this.directory.userById(userId);
    if (!user) throw new AppError(ErrorCode.UserNotFound, 'Unknown user');
    if (userId === actor.id && (patch.disabled === true || patch.role === 'user'))
      throw new AppError(ErrorCode.Forbidden, 'Admins cannot disable or demote themselves');
    await this.directory.updateUser(userId, {
      displayName: patch.displayName,
      role: patch.role,
      disabled: patch.disabled,
      passwordHash: patch.password ? await hashPassword(patch.password) : undefined,
    });
    const changes: Record<string, unknown> = {};
    if (patch.displayName !== undefined && patch.displayName !== user.displayName)
      changes.displayName = patch.displayName;
    if (patch.role !== undefined && patch.role !== user.role) changes.role = patch.role;
    if (patch.disabled !== undefined && patch.disabled !== user.disabled) changes.disabled = patch.disabled;
    if (patch.password) changes.password = 'reset';
    if (patch.disabled === true || patch.password) {
      // Logged out everywhere: sessions gone, every open socket closed.
      await this.directory.deleteSessionsOf(userId);
      this.docs.closePeers(null, userId, CloseCode.Unauthorized, 'session revoked');
      this.events.closeUser(userId, CloseCode.Unauthorized, 'session revoked');
    }
    if (Object.keys(changes).length > 0) await this.record(actor, 'user.update', 'user', userId, changes);
    return (await this.directory.userById(userId))!;
  }

  /** Revoke any admin's API token: refused from now on, its open sockets closed at once (4401). */
  async revokeToken(actor: UserRow, id: string): Promise<void> {
    const token = await this.auth.revokeApiToken(id);
    await this.record(actor, 'token.revoke', 'token', token.userId, { label: token.label, id: token.id });
  }

  async createToken(actor: UserRow, label: string): Promise<string> {
    const token = await this.auth.createApiToken(actor.id, label);
    await this.record(actor, 'token.create', 'token', actor.id, { label });
    return token;
  }
}
