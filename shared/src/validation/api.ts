/** One schema per REST input; the server validates with them and the web app shares the types. */
import { z } from 'zod';
import { ID_PATTERN } from '../ids.js';
import { LIMITS } from '../limits.js';

export { LIMITS };

const id = z.string().regex(ID_PATTERN, 'not an id');

export const LoginInput = z.object({
  username: z.string().trim().min(1).max(LIMITS.usernameMax),
  password: z.string().min(1).max(LIMITS.passwordMax),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const CreateDiscussionInput = z.object({
  memberIds: z.array(id).min(1).max(LIMITS.groupMembersMax),
  title: z.string().trim().max(LIMITS.titleMax).optional().nullable(),
});
export type CreateDiscussionInput = z.infer<typeof CreateDiscussionInput>;

export const CreateUserInput = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .min(2)
    .max(LIMITS.usernameMax)
    .regex(/^[a-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
  displayName: z.string().trim().min(1).max(LIMITS.displayNameMax),
  password: z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax),
  role: z.enum(['admin', 'user']).optional(),
});
export type CreateUserInput = z.infer<typeof CreateUserInput>;

const role = z.enum(['owner', 'moderator', 'member', 'reader']);

export const RenameDiscussionInput = z.object({ title: z.string().trim().min(1).max(LIMITS.titleMax) });
export type RenameDiscussionInput = z.infer<typeof RenameDiscussionInput>;

export const AddMemberInput = z.object({ userId: id, role: role.optional() });
export type AddMemberInput = z.infer<typeof AddMemberInput>;

export const SetRoleInput = z.object({ role });
export type SetRoleInput = z.infer<typeof SetRoleInput>;

export const UpdateUserInput = z
  .object({
    displayName: z.string().trim().min(1).max(LIMITS.displayNameMax).optional(),
    role: z.enum(['admin', 'user']).optional(),
    disabled: z.boolean().optional(),
    password: z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'nothing to change');
export type UpdateUserInput = z.infer<typeof UpdateUserInput>;

export const CreateTokenInput = z.object({ label: z.string().trim().min(1).max(LIMITS.tokenLabelMax) });
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

/** A retention period in days: a whole number from 1 (null: keep forever, or follow the organisation). */
const retentionDays = z.number().int().min(1).max(36_500).nullable();
export const RetentionPolicyInput = z.object({ days: retentionDays, keepPinned: z.boolean() }).strict();
export type RetentionPolicyInput = z.infer<typeof RetentionPolicyInput>;
export const RetentionOverrideInput = z.object({ days: retentionDays }).strict();
export type RetentionOverrideInput = z.infer<typeof RetentionOverrideInput>;
/** POST /api/admin/retention/preview: the saved policy, or this one to try. */
export const RetentionPreviewInput = RetentionPolicyInput.partial().strict();
