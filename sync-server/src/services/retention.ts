/**
 * Retention: the organisation's policy and each discussion's override, the dry-run preview and
 * the purge run (by an admin, « Appliquer maintenant », or by the daily job). A purge deletes the
 * messages older than the period from the live document (relayed like any change, so connected
 * browsers drop them at once and others at their next sync), compacts the document's stored
 * history right away (secure_delete, truncated WAL: no byte of their text stays in the SQLite
 * files), then removes their files (rows, and bytes nothing else shares). One run at a time.
 * See shared/src/discussion/retention.ts for what is purged, and ARCHITECTURE.md "Retention".
 */
import {
  applyPurge,
  cutoffOf,
  effectiveDays,
  planPurge,
  type RetentionPolicy,
  type RetentionReport,
} from '@palabre/shared';
import type { DiscussionRow, Storage, UserRow } from '../storage/types.js';
import type { AuditLog } from './audit.js';
import type { DiscussionService } from './discussions.js';
import type { LiveDocs } from './ports.js';

export interface RetentionDeps {
  storage: Storage;
  discussions: DiscussionService;
  docs: LiveDocs;
  audit: AuditLog;
  /** Remove these files of a discussion (rows, and bytes no other row shares). */
  releaseFiles: (discussionId: string, fileIds: string[]) => Promise<void>;
  /** Write what sidebars show now (a purged last message leaves the stored preview). */
  flushSidebar: () => Promise<void>;
  now?: () => number;
}

/** Who started a run: an admin, or the daily job (`system` in the audit log). */
export type RunBy = UserRow | 'schedule';

export class RetentionService {
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: RetentionDeps) {
    this.now = deps.now ?? Date.now;
  }

  policy(): Promise<RetentionPolicy> {
    return this.deps.storage.directory.retentionPolicy();
  }

  /** The policy and the discussions that override it (for the admin console). */
  async describe(): Promise<
    RetentionPolicy & { overrides: { id: string; title: string | null; days: number }[] }
  > {
    const rows = await this.deps.storage.directory.listDiscussions();
    return {
      ...(await this.policy()),
      overrides: rows
        .filter((r) => r.retentionDays !== null)
        .map((r) => ({ id: r.id, title: r.title, days: r.retentionDays as number })),
    };
  }

  async setPolicy(actor: UserRow, policy: RetentionPolicy): Promise<RetentionPolicy> {
    const before = await this.policy();
    await this.deps.storage.directory.setRetentionPolicy(policy);
    await this.deps.audit.record({
      actorId: actor.id,
      action: 'retention.policy',
      targetType: 'retention',
      targetId: 'organisation',
      details: { from: before, to: policy },
    });
    return policy;
  }

  async setOverride(
    actor: UserRow,
    discussionId: string,
    days: number | null,
  ): Promise<{ id: string; days: number | null }> {
    const row = await this.deps.discussions.get(discussionId);
    await this.deps.storage.directory.setRetentionDays(discussionId, days);
    await this.deps.audit.record({
      actorId: actor.id,
      action: 'retention.discussion',
      targetType: 'discussion',
      targetId: discussionId,
      details: { title: row.title, from: row.retentionDays, to: days },
    });
    return { id: discussionId, days };
  }

  /** What a run would delete now, with the saved policy or `trial` over it. Changes nothing. */
  async preview(trial: Partial<RetentionPolicy> = {}): Promise<RetentionReport> {
    const saved = await this.policy();
    const policy: RetentionPolicy = {
      days: trial.days === undefined ? saved.days : trial.days,
      keepPinned: trial.keepPinned ?? saved.keepPinned,
    };
    return this.walk(policy, async (row, cutoff) => {
      const files = await this.deps.storage.files.ofDiscussion(row.id);
      return this.deps.docs.read(row.id, (doc) =>
        planPurge(doc, { cutoff, keepPinned: policy.keepPinned, files }),
      );
    });
  }

  /** Apply the saved policy now: the counts, as deleted. Runs one at a time. */
  run(by: RunBy): Promise<RetentionReport> {
    const result = this.running.then(() => this.purge(by));
    this.running = result.catch(() => undefined);
    return result;
  }

  private async purge(by: RunBy): Promise<RetentionReport> {
    const policy = await this.policy();
    const started = this.now();
    const report = await this.walk(policy, async (row, cutoff) => {
      const files = await this.deps.storage.files.ofDiscussion(row.id);
      const read = await this.deps.docs.read(row.id, (doc) =>
        planPurge(doc, { cutoff, keepPinned: policy.keepPinned, files }),
      );
      if (read.messageIds.length === 0 && read.fileIds.length === 0) return read;
      // Planned again on the live document's queue: what is counted is exactly what is deleted.
      const plan =
        read.messageIds.length === 0
          ? read
          : await this.deps.docs.change(
              row.id,
              (doc) => {
                const p = planPurge(doc, { cutoff, keepPinned: policy.keepPinned, files });
                applyPurge(doc, p, cutoff);
                return p;
              },
              { compact: true },
            );
      if (plan.fileIds.length > 0) await this.deps.releaseFiles(row.id, plan.fileIds);
      return plan;
    });
    await this.deps.flushSidebar();
    await this.deps.storage.scrub?.();
    await this.deps.audit.record({
      actorId: by === 'schedule' ? 'system' : by.id,
      action: 'retention.run',
      targetType: 'retention',
      targetId: 'organisation',
      details: {
        trigger: by === 'schedule' ? 'schedule' : 'admin',
        policy,
        messages: report.messages,
        files: report.files,
        discussions: report.discussions.length,
        ms: this.now() - started,
      },
    });
    return report;
  }

  /** Every discussion whose period applies, with its cut-off; the report of those with something to delete. */
  private async walk(
    policy: RetentionPolicy,
    each: (row: DiscussionRow, cutoff: number) => Promise<{ messages: number; fileIds: string[] }>,
  ): Promise<RetentionReport> {
    const report: RetentionReport = { messages: 0, files: 0, discussions: [] };
    const now = this.now();
    for (const row of await this.deps.storage.directory.listDiscussions()) {
      const days = effectiveDays(policy, row.retentionDays);
      if (days === null) continue;
      // One discussion at a time, letting the relay and other requests run in between.
      await new Promise((resolve) => setImmediate(resolve));
      const { messages, fileIds } = await each(row, cutoffOf(days, now));
      if (messages === 0 && fileIds.length === 0) continue;
      report.messages += messages;
      report.files += fileIds.length;
      report.discussions.push({ id: row.id, title: row.title, messages, files: fileIds.length });
    }
    return report;
  }
}
