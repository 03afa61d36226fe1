import { describe, expect, it } from 'vitest';
import { localDay, nextRunAt, parseRetentionAt } from './retention-schedule.js';

describe('PALABRE_RETENTION_AT', () => {
  it('reads HH:MM (24 h) and off, and refuses anything else', () => {
    expect(parseRetentionAt('03:00')).toBe(180);
    expect(parseRetentionAt('23:59')).toBe(23 * 60 + 59);
    expect(parseRetentionAt('7:05')).toBe(7 * 60 + 5);
    expect(parseRetentionAt('off')).toBeNull();
    for (const bad of ['24:00', '3h', '', '03:60', 'tomorrow']) expect(() => parseRetentionAt(bad)).toThrow();
  });

  it('runs next at that local time today if still to come, else tomorrow', () => {
    const morning = new Date(2026, 10, 30, 2, 30).getTime();
    expect(nextRunAt(180, morning)).toBe(new Date(2026, 10, 30, 3, 0).getTime());
    const evening = new Date(2026, 10, 30, 3, 0).getTime();
    expect(nextRunAt(180, evening)).toBe(new Date(2026, 11, 1, 3, 0).getTime());
  });

  it('names a run by its local day, the same for every node firing at that time', () => {
    expect(localDay(new Date(2026, 11, 1, 3, 0).getTime())).toBe('2026-12-01');
    expect(localDay(new Date(2026, 0, 9, 23, 59).getTime())).toBe('2026-01-09');
  });
});
