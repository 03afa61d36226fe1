/** Where a request carries its session token: the REST middleware and the WebSocket upgrade read it alike. */
export const SESSION_COOKIE = 'palabre_session';

export type TokenSource = 'bearer' | 'cookie' | 'query';

/** The token of a request and where it came from: `Authorization: Bearer`, session cookie, or `token` query parameter. */
export function credentialFrom(
  headers: { cookie?: string | null; authorization?: string | null },
  url: URL,
): { token: string; source: TokenSource } | null {
  const bearer = headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer) return { token: bearer.trim(), source: 'bearer' };
  const cookie = headers.cookie
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`));
  if (cookie) {
    try {
      return { token: decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)), source: 'cookie' };
    } catch {
      return null;
    }
  }
  const query = url.searchParams.get('token');
  return query ? { token: query, source: 'query' } : null;
}

/** The token of a request: session cookie, `Authorization: Bearer`, or `token` query parameter. */
export function tokenFrom(
  headers: { cookie?: string | null; authorization?: string | null },
  url: URL,
): string | null {
  return credentialFrom(headers, url)?.token ?? null;
}

export function tokenSource(
  headers: { cookie?: string | null; authorization?: string | null },
  url: URL,
): TokenSource | null {
  return credentialFrom(headers, url)?.source ?? null;
}
