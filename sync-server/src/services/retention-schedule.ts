/**
 * The daily retention job: runs the saved policy once a day at PALABRE_RETENTION_AT (HH:MM, the
 * server's local time; default 03:00 in main.ts, `off` to disable). A run that fails is logged
 * and tried again the next day; nothing is run while the policy keeps everything.
 */
import type { Logger } from '../log.js';
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

export function scheduleRetention(
  retention: RetentionService,
  minutes: number,
  logger: Logger,
): { stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    // Timers cannot wait more than ~24.8 days; a day is well within.
    timer = setTimeout(() => void fire(), Math.max(1_000, nextRunAt(minutes, Date.now()) - Date.now()));
    timer.unref();
  };
  const fire = async () => {
    try {
      const policy = await retention.policy();
      const report = await retention.run('schedule');
      logger.info(
        { event: 'retention_run', days: policy.days, messages: report.messages, files: report.files },
        'retention applied',
      );
    } catch (err) {
      logger.error({ event: 'retention_failed', err }, 'retention run failed');
    }
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
