/**
 * Monotonic milliseconds (request durations, rate limits). process.hrtime rather than
 * `performance.now()`: the global `performance` loads node:perf_hooks on first use, about
 * 0.3-0.5 MiB resident that an idle server does not otherwise need (ARCHITECTURE.md, "Idle memory").
 */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
