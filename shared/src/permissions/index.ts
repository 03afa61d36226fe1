/** Who may do what: one truth for the server (which enforces) and the web app (which hides). */
import { Role } from '../discussion/schema.js';

export const OrgRole = { Admin: 'admin', User: 'user' } as const;
export type OrgRole = (typeof OrgRole)[keyof typeof OrgRole];

export const Action = {
  Read: 'read',
  Write: 'write',
  Pin: 'pin',
  Rename: 'rename',
  ManageMembers: 'manage_members',
  DeleteOthersMessages: 'delete_others_messages',
  Archive: 'archive',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

const ALLOWED: Record<Role, readonly Action[]> = {
  owner: ['read', 'write', 'pin', 'rename', 'manage_members', 'delete_others_messages', 'archive'],
  moderator: ['read', 'write', 'pin', 'rename', 'manage_members', 'delete_others_messages', 'archive'],
  member: ['read', 'write', 'pin'],
  reader: ['read'],
};

/** May a member with this role (null: not a member) do this? Admins may also manage, rename and archive any discussion. */
export function can(role: Role | null, action: Action, orgRole: OrgRole = OrgRole.User): boolean {
  if (role !== null && ALLOWED[role].includes(action)) return true;
  return (
    orgRole === OrgRole.Admin &&
    (action === Action.ManageMembers || action === Action.Rename || action === Action.Archive)
  );
}

export { Role };
