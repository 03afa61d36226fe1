import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('backoff', () => {
  const options = { baseMs: 100, maxMs: 5_000 };

  it('grows exponentially up to the cap, with full jitter: anywhere from 0 to the cap', () => {
    const at = (random: number) => (attempt: number) => backoffDelay(attempt, options, () => random);
    expect([0, 1, 2, 3, 10].map(at(1))).toEqual([100, 200, 400, 800, 5_000]);
    expect([0, 1, 2, 3, 10].map(at(0.5))).toEqual([50, 100, 200, 400, 2_500]);
    expect([0, 1, 2, 3, 10].map(at(0))).toEqual([0, 0, 0, 0, 0]);
  });

  it('spreads many clients over the whole range after a restart', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelay(8, DEFAULT_BACKOFF));
    const cap = DEFAULT_BACKOFF.maxMs;
    expect(Math.max(...delays)).toBeLessThanOrEqual(cap);
    // Uniform on [0, cap]: a quarter below cap/4, a half below cap/2 (far from the bounds that
    // any other spread would give: none below cap/2 for "equal jitter").
    const share = (limit: number) => delays.filter((d) => d < limit).length / delays.length;
    expect(share(cap / 4)).toBeGreaterThan(0.15);
    expect(share(cap / 2)).toBeGreaterThan(0.4);
    expect(share(cap / 2)).toBeLessThan(0.6);
  });
});
