/**
 * Audit entries as sentences: « Claire Martin a retiré Karim Haddad de « Urgences SAV ». »
 * Each sentence is a dictionary template split into parts, names marked so they can be set in
 * bold. Names come from the admin directory (ids are never shown).
 */
import type { Role } from '@palabre/shared/permissions/index';
import { t, type MessageKey } from '$lib/i18n/index.svelte.js';
import { formatBytes } from './format-bytes.js';
import type { AuditEntry } from '$lib/state/admin.svelte.js';

export interface Part {
  text: string;
  /** A person or a group: shown in bold. */
  name: boolean;
}

export interface Names {
  user(id: string): { displayName: string; username: string } | undefined;
  name(id: string): string;
  discussionName(id: string): string;
}

/** Parameters set in bold when they appear. */
const NAME_PARAMS = new Set(['actor', 'user', 'group']);
const ROLES = new Set(['owner', 'moderator', 'member', 'reader']);

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const roleName = (value: unknown): string =>
  typeof value === 'string' && ROLES.has(value) ? t(`roles.${value as Role}`) : str(value);

function sentence(key: MessageKey, params: Record<string, string>): Part[] {
  const template = t(key);
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ text: template.slice(last, index), name: false });
    const param = match[1];
    parts.push({ text: params[param] ?? match[0], name: NAME_PARAMS.has(param) });
    last = index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last), name: false });
  return parts;
}

/** One or more sentences (an account update can change several things at once). */
export function describeAudit(entry: AuditEntry, names: Names): Part[][] {
  const d = entry.details ?? {};
  const actor = names.name(entry.actorId);
  const target = entry.targetId;
  const group = entry.targetType === 'discussion' ? names.discussionName(target) : '';
  const member = str(d.userId);

  switch (entry.action) {
    case 'user.create':
      return [
        sentence(d.role === 'admin' ? 'audit.user.createAdmin' : 'audit.user.create', {
          actor,
          user: names.name(target),
        }),
      ];
    case 'user.update': {
      const user = names.name(target);
      const out: Part[][] = [];
      if ('displayName' in d) {
        // The current name may already be the new one: name the account by its username.
        const account = names.user(target);
        out.push(
          sentence('audit.user.displayName', {
            actor,
            user: account ? `@${account.username}` : user,
            to: str(d.displayName),
          }),
        );
      }
      if ('role' in d)
        out.push(
          sentence(d.role === 'admin' ? 'audit.user.roleAdmin' : 'audit.user.roleUser', { actor, user }),
        );
      if ('disabled' in d)
        out.push(sentence(d.disabled ? 'audit.user.disabled' : 'audit.user.enabled', { actor, user }));
      if ('password' in d) out.push(sentence('audit.user.password', { actor, user }));
      return out.length ? out : [sentence('audit.other', { actor, action: entry.action })];
    }
    case 'token.create':
      return [sentence('audit.token.create', { actor, label: str(d.label) })];
    case 'token.revoke':
      return [sentence('audit.token.revoke', { actor, label: str(d.label) })];
    case 'auth.login_failed':
      return [sentence('audit.auth.loginFailed', { username: str(d.username), address: str(d.address) })];
    case 'discussion.rename':
      return [
        d.from
          ? sentence('audit.discussion.rename', { actor, from: str(d.from), to: str(d.to) })
          : sentence('audit.discussion.name', { actor, to: str(d.to) }),
      ];
    case 'member.add':
      return [
        sentence('audit.member.add', { actor, user: names.name(member), group, role: roleName(d.role) }),
      ];
    case 'member.role':
      return [
        sentence('audit.member.role', {
          actor,
          user: names.name(member),
          group,
          from: roleName(d.from),
          to: roleName(d.to),
        }),
      ];
    case 'member.remove':
      return [sentence('audit.member.remove', { actor, user: names.name(member), group })];
    case 'member.leave':
      return [sentence('audit.member.leave', { actor, group })];
    case 'backup.start':
      return [sentence('audit.backup.start', { actor, name: target })];
    case 'backup.done':
      return [sentence('audit.backup.done', { actor, name: target, size: formatBytes(Number(d.size) || 0) })];
    case 'backup.failed':
      return [sentence('audit.backup.failed', { actor, name: target, message: str(d.message) })];
    case 'discussion.archive':
      return [sentence('audit.discussion.archive', { actor, group })];
    case 'discussion.unarchive':
      return [sentence('audit.discussion.unarchive', { actor, group })];
    case 'retention.policy': {
      const to = (d.to ?? {}) as { days?: unknown; keepPinned?: unknown };
      return [
        typeof to.days === 'number'
          ? sentence('audit.retention.policyDays', {
              actor,
              days: String(to.days),
              pinned: t(to.keepPinned ? 'audit.retention.pinnedKept' : 'audit.retention.pinnedPurged'),
            })
          : sentence('audit.retention.policyForever', { actor }),
      ];
    }
    case 'retention.discussion':
      return [
        typeof d.to === 'number'
          ? sentence('audit.retention.discussionDays', { actor, group, days: String(d.to) })
          : sentence('audit.retention.discussionFollow', { actor, group }),
      ];
    case 'retention.run': {
      const counts = { messages: String(Number(d.messages) || 0), files: String(Number(d.files) || 0) };
      return [
        d.trigger === 'schedule'
          ? sentence('audit.retention.runScheduled', counts)
          : sentence('audit.retention.run', { actor, ...counts }),
      ];
    }
    default:
      return [sentence('audit.other', { actor, action: entry.action })];
  }
}
