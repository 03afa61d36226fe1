/** Where a request carries its session token: the REST middleware and the WebSocket upgrade read it alike. */
export const SESSION_COOKIE = 'palabre_session';

/** The token of a request: session cookie, `Authorization: Bearer`, or `token` query parameter. */
export function tokenFrom(
  headers: { cookie?: string | null; authorization?: string | null },
  url: URL,
): string | null {
  const bearer = headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer) return bearer.trim();
  const cookie = headers.cookie
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`));
  if (cookie) return decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
  return url.searchParams.get('token');
}
