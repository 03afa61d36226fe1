/**
 * Asking REST why a document's socket keeps failing. The server refuses a forbidden or unknown
 * discussion before the WebSocket upgrade, with a plain HTTP status the browser hides (the
 * socket just fails). After repeated failures, `GET /api/discussions/:id` tells the reason:
 * 401 ends the session (api.ts reports it), 403/404 stop the document like a 4403/4404 close
 * would. Anything else (server down, offline): keep retrying.
 */
import { CloseCode } from '@palabre/shared/close-codes';
import { ErrorCode } from '@palabre/shared/errors';

/** Failed attempts in a row after which we ask the REST API why (every second failure). */
export const FAILURES_BEFORE_DIAGNOSIS = 2;

export function shouldDiagnose(failures: number): boolean {
  return failures > 0 && failures % FAILURES_BEFORE_DIAGNOSIS === 0;
}

/** The close a REST error stands for, or null when it does not end the document. */
export function closeCodeFor(code: string): number | null {
  if (code === ErrorCode.DiscussionNotFound) return CloseCode.NotFound;
  if (code === ErrorCode.NotMember || code === ErrorCode.Forbidden) return CloseCode.Forbidden;
  return null;
}

export interface Verdict {
  code: number;
  reason: string;
}

/**
 * Ask: `fetch` is the REST call (throws an error with `code` and `message` on failure). Resolves
 * with the close to apply, or null when the discussion is fine or the answer says nothing.
 */
export async function diagnose(fetch: () => Promise<unknown>): Promise<Verdict | null> {
  try {
    await fetch();
    return null;
  } catch (error) {
    if (!isCoded(error)) return null;
    const code = closeCodeFor(error.code);
    return code === null ? null : { code, reason: error.message };
  }
}

function isCoded(error: unknown): error is { code: string; message: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}
