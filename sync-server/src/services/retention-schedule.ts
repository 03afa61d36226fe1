/**
 * The daily retention job: runs the saved policy once a day at PALABRE_RETENTION_AT (HH:MM, the
 * server's local time; default 03:00 in main.ts, `off` to disable). A run that fails is logged
 * and tried again the next day; nothing is run while the policy keeps everything. Several nodes
 * on one PostgreSQL database each have the job armed, but only the node that claims the day
 * (`Storage.claimDailyRun`, a row per day) runs it; the others log `retention_skipped`.
 */
import type { Logger } from '../log.js';
import type { Storage } from '../storage/types.js';
import type { RetentionService } from './retention.js';

/** "HH:MM" as minutes after midnight; null for `off`; throws on anything else. */
export function parseRetentionAt(value: string): number | null {
  if (value.trim().toLowerCase() === 'off') return null;
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  if (!m) throw new Error(`PALABRE_RETENTION_AT must be HH:MM (24 h) or off, not "${value}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The next time (ms) after `now` whose local time of day is `minutes` after midnight. */
export function nextRunAt(minutes: number, now: number): number {
  const next = new Date(now);
  next.setHours(Math.floor(minutes / 60), minutes % 60, 0, 0);
  if (next.getTime() <= now) next.setDate(next.getDate() + 1);
  return next.getTime();
}

/** The local date (YYYY-MM-DD) of a time: the day a scheduled run is for, the same on every node. */
export function localDay(t: number): string {
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

export type DailyOutcome = 'ran' | 'skipped' | 'failed';

/**
 * The job's run due at `at`: when the storage is shared (claimDailyRun), first claimed for that
 * day, so of the nodes firing together exactly one purges; then the saved policy applied.
 */
export function dailyRetention(
  retention: RetentionService,
  logger: Logger,
  storage: Pick<Storage, 'claimDailyRun'>,
): (at: number) => Promise<DailyOutcome> {
  return async (at) => {
    const day = localDay(at);
    try {
      if (storage.claimDailyRun && !(await storage.claimDailyRun('retention', day))) {
        logger.info({ event: 'retention_skipped', day }, 'retention: another node runs this day');
        return 'skipped';
      }
      const policy = await retention.policy();
      const report = await retention.run('schedule');
      logger.info(
        { event: 'retention_run', day, days: policy.days, messages: report.messages, files: report.files },
        'retention applied',
      );
      return 'ran';
    } catch (err) {
      logger.error({ event: 'retention_failed', day, err }, 'retention run failed');
      return 'failed';
    }
  };
}

export function scheduleRetention(
  retention: RetentionService,
  minutes: number,
  logger: Logger,
  storage: Pick<Storage, 'claimDailyRun'> = {},
): { stop(): void } {
  const run = dailyRetention(retention, logger, storage);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    const at = nextRunAt(minutes, Date.now());
    // Timers cannot wait more than ~24.8 days; a day is well within.
    timer = setTimeout(() => void fire(at), Math.max(1_000, at - Date.now()));
    timer.unref();
  };
  const fire = async (at: number) => {
    await run(at);
    arm();
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
