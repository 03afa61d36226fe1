/**
 * Health for supervisors and load balancers.
 * - `GET /api/health` (readiness): 200 only when this server can serve a user: storage open and
 *   answering, and the first admin account created. 503 `not_ready` otherwise (starting, or
 *   stopping), so a provisioning script that waits for health can log in right after.
 * - `GET /api/health/live` (liveness): 200 as long as the process answers HTTP at all.
 */
import { Hono } from 'hono';
import { ErrorCode } from '@palabre/shared';
import type { Env } from '../http/context.js';

export interface Readiness {
  /** `starting` until every check passes once; `stopping` from the first shutdown step on. */
  status: 'ok' | 'starting' | 'stopping';
  checks: { storage: 'ok' | 'closed' | 'failed'; admin: 'ok' | 'missing' };
}

export function healthRoutes(version: string, readiness: () => Promise<Readiness>) {
  const routes = new Hono<Env>();
  routes.get('/health', async (c) => {
    const r = await readiness();
    if (r.status === 'ok') return c.json({ status: 'ok', version, checks: r.checks });
    const message =
      r.status === 'stopping'
        ? 'The server is shutting down'
        : r.checks.admin === 'missing'
          ? 'The first admin account does not exist yet'
          : 'Storage is not available';
    return c.json(
      { status: r.status, version, checks: r.checks, error: { code: ErrorCode.NotReady, message } },
      503,
      { 'retry-after': '1' },
    );
  });
  routes.get('/health/live', (c) =>
    c.json({ status: 'alive', version, uptimeS: Math.round(process.uptime()) }),
  );
  return routes;
}
