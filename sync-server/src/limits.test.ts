import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_ENV, limitsFromEnv } from './limits.js';

describe('limits', () => {
  it('reads each limit from its PALABRE_* variable, in the unit its name says', () => {
    const limits = limitsFromEnv({
      PALABRE_SESSION_IDLE_HOURS: '2',
      PALABRE_SYNC_FRAMES_PER_SECOND: '7',
      PALABRE_MAX_JSON_BYTES: '',
    });
    expect(limits.sessionIdleMs).toBe(2 * 3600_000);
    expect(limits.syncFramesPerSecond).toBe(7);
    expect(limits.jsonBodyBytes).toBe(DEFAULT_LIMITS.jsonBodyBytes);
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
  });

  it('refuses a malformed value instead of running without the limit', () => {
    expect(() => limitsFromEnv({ PALABRE_SOCKETS_PER_USER: 'lots' })).toThrow(/PALABRE_SOCKETS_PER_USER/);
    expect(() => limitsFromEnv({ PALABRE_SOCKETS_PER_USER: '0' })).toThrow();
  });

  it('is documented: every variable with its default in docs/SECURITY.md, and named in README.md', () => {
    const security = readFileSync(new URL('../../docs/SECURITY.md', import.meta.url), 'utf8');
    for (const [key, { name, scale }] of Object.entries(LIMIT_ENV)) {
      const row = security.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, name).toBeDefined();
      const value = DEFAULT_LIMITS[key as keyof typeof DEFAULT_LIMITS] / scale;
      expect(row!.split('|')[2].trim().split(' ')[0], name).toBe(String(value));
    }
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const { name } of Object.values(LIMIT_ENV)) expect(readme, name).toContain(name);
  });
});
