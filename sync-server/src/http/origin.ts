/**
 * Cross-site request refusal. A browser sends the session cookie with requests that another
 * page starts (a sibling subdomain is the same site, so even SameSite=Lax does not stop it), and
 * always says who started them in `Origin`. Requests authenticated by that cookie which change
 * state, and every cookie-authenticated WebSocket upgrade, must therefore come from Palabre's own
 * origin (PUBLIC_URL, or the Host the request was sent to) or one listed in ALLOWED_ORIGINS.
 * Bearer and ?token= clients carry a secret no other page knows: they are not concerned.
 */
import type { MiddlewareHandler } from 'hono';
import { ErrorCode } from '@palabre/shared';
import { AppError } from '../errors.js';
import { tokenSource } from './token.js';

export interface OriginPolicy {
  /** The origin of PUBLIC_URL, or null to trust the request's Host header. */
  publicOrigin: string | null;
  /** Extra origins from ALLOWED_ORIGINS. */
  allowed: ReadonlySet<string>;
}

export function originPolicy(
  publicUrl: string | null | undefined,
  allowedOrigins: string | undefined,
): OriginPolicy {
  const allowed = new Set<string>();
  for (const entry of (allowedOrigins ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed) allowed.add(new URL(trimmed).origin);
  }
  return { publicOrigin: publicUrl ? new URL(publicUrl).origin : null, allowed };
}

/** Whether a request with this Origin header, sent to this Host, comes from Palabre itself. */
export function isOwnOrigin(
  origin: string | null | undefined,
  host: string | null | undefined,
  policy: OriginPolicy,
): boolean {
  if (!origin || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (policy.allowed.has(parsed.origin)) return true;
  if (policy.publicOrigin) return parsed.origin === policy.publicOrigin;
  // No PUBLIC_URL: the page must have been served by the host this request is addressed to.
  return !!host && parsed.host === host.toLowerCase();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request must be refused as cross-site: it changes state (or is a WebSocket upgrade),
 * is authenticated by the cookie, and its Origin is not ours. A state-changing request that names
 * a foreign Origin is refused even without a cookie (login CSRF: being signed in as someone else).
 */
export function crossSiteRefused(
  req: {
    method: string;
    origin?: string | null;
    host?: string | null;
    cookie?: string | null;
    authorization?: string | null;
  },
  url: URL,
  policy: OriginPolicy,
  upgrade = false,
): boolean {
  if (!upgrade && SAFE_METHODS.has(req.method.toUpperCase())) return false;
  const source = tokenSource({ cookie: req.cookie, authorization: req.authorization }, url);
  if (source === 'bearer' || source === 'query') return false;
  if (isOwnOrigin(req.origin, req.host, policy)) return false;
  if (source === 'cookie') return true;
  // No credential at all: only a foreign Origin that says so is refused (scripts send none).
  return !!req.origin;
}

export function requireOwnOrigin(policy: OriginPolicy): MiddlewareHandler {
  return async (c, next) => {
    const refused = crossSiteRefused(
      {
        method: c.req.method,
        origin: c.req.header('origin'),
        host: c.req.header('host'),
        cookie: c.req.header('cookie'),
        authorization: c.req.header('authorization'),
      },
      new URL(c.req.url),
      policy,
    );
    if (refused) throw new AppError(ErrorCode.CrossOrigin, 'Requests from another site are not accepted');
    await next();
  };
}
