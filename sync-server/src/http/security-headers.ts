/**
 * Browser-grade headers on every response the server sends. The web app's own
 * Content-Security-Policy comes from its build (SvelteKit hashes its inline scripts into a
 * <meta> tag; static.ts copies it into the header and adds what a <meta> cannot say, such as
 * frame-ancestors). Everything else (the API, its docs page, files) gets a policy that lets a
 * response do nothing when opened as a page.
 */
import type { MiddlewareHandler } from 'hono';

/** For responses that are not the app: no script, no framing, nothing loaded. */
export const API_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** For the app's static files (scripts, the service worker): what the service worker may fetch. */
export const FILE_CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Palabre uses none of these browser features; a page it frames (none) or a script it runs cannot either. */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'autoplay',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'usb',
  'serial',
  'bluetooth',
  'hid',
  'screen-wake-lock',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** HSTS for a year once PUBLIC_URL is https (no includeSubDomains: sibling sites are not ours to decide). */
export const HSTS = 'max-age=31536000';

export function securityHeaders(options: { https: boolean }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    if (!h.has('content-security-policy'))
      h.set('content-security-policy', c.req.path.startsWith('/api') ? API_CSP : FILE_CSP);
    h.set('x-content-type-options', 'nosniff');
    h.set('x-frame-options', 'DENY');
    h.set('referrer-policy', 'same-origin');
    h.set('permissions-policy', PERMISSIONS_POLICY);
    h.set('cross-origin-opener-policy', 'same-origin');
    h.set('cross-origin-resource-policy', 'same-origin');
    if (options.https) h.set('strict-transport-security', HSTS);
  };
}
