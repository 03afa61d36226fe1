/** Serves the built web app (web/build): files as they are, index.html for every app route. */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'hono';

/**
 * The policy SvelteKit wrote into the page (kit.csp: hashes of its inline scripts), sent as a
 * header too, with what only a header can say: the app is never framed.
 */
export function pageCsp(html: string): string | null {
  const meta = html.match(/<meta\s+http-equiv="content-security-policy"\s+content="([^"]*)"/i);
  if (!meta) return null;
  const policy = meta[1]
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
  return `${policy.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function staticApp(root: string) {
  const base = normalize(root + sep);
  async function file(path: string): Promise<Buffer | null> {
    const full = normalize(join(base, path));
    // Dot files (the build stamp, editor leftovers) are not part of the app.
    if (
      !full.startsWith(base) ||
      full
        .slice(base.length)
        .split(sep)
        .some((part) => part.startsWith('.'))
    )
      return null;
    try {
      if (!(await stat(full)).isFile()) return null;
      return await readFile(full);
    } catch {
      return null;
    }
  }
  return async (c: Context) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    const found = path !== '/' ? await file(path) : null;
    if (found) {
      const immutable = path.startsWith('/_app/immutable/');
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      const csp = type === TYPES['.html'] ? pageCsp(found.toString('utf8')) : null;
      return c.body(new Uint8Array(found), 200, {
        'content-type': type,
        ...(csp ? { 'content-security-policy': csp } : {}),
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    const index = await file('index.html');
    if (!index) return c.text('The web app is not built: run `pnpm build`.', 503);
    const csp = pageCsp(index.toString('utf8'));
    return c.body(new Uint8Array(index), 200, {
      'content-type': TYPES['.html'],
      'cache-control': 'no-cache',
      ...(csp ? { 'content-security-policy': csp } : {}),
    });
  };
}
