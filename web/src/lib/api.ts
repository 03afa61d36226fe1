/** The REST client: JSON in and out, same-origin cookies, every failure thrown as an ApiError. */
import type { DiscussionSummary, LoginResult, MeResult, PublicUser } from '@palabre/shared';
import { ErrorCode, isApiErrorBody } from '@palabre/shared/errors';

/** No answer arrived (offline, server down, a blocked request): the one code the server never sends. */
export const NETWORK = 'network';

/** Codes the server sends (ErrorCode, shared/src/errors.ts), plus NETWORK when no answer arrived. */
export type ApiErrorCode = ErrorCode | typeof NETWORK;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = (error: ApiError) => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever a request (other than login) answers 401: the session is gone. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export interface RequestOptions {
  /** Do not report a 401 as an expired session (login, the initial /api/me probe). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, NETWORK, cause instanceof Error ? cause.message : 'Network error');
  }

  const text = await response.text().catch(() => '');
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!response.ok) {
    const error = isApiErrorBody(data)
      ? new ApiError(response.status, data.error.code, data.error.message, data.error.details)
      : new ApiError(response.status, statusCode(response.status), text || response.statusText);
    if (response.status === 401 && !options.quiet401) {
      for (const listener of unauthenticatedListeners) listener(error);
    }
    throw error;
  }
  return data as T;
}

/** A code for errors that came without the JSON error body (a proxy, a crash). */
function statusCode(status: number): ErrorCode {
  if (status === 401) return ErrorCode.Unauthenticated;
  if (status === 403) return ErrorCode.Forbidden;
  if (status === 404) return ErrorCode.NotFound;
  if (status >= 500) return ErrorCode.Internal;
  return ErrorCode.BadRequest;
}

export const api = {
  login: (username: string, password: string) =>
    request<LoginResult>('POST', '/api/auth/login', { username, password }, { quiet401: true }),
  logout: () => request<void>('POST', '/api/auth/logout', undefined, { quiet401: true }),
  me: (options?: RequestOptions) => request<MeResult>('GET', '/api/me', undefined, options),
  users: () => request<{ users: PublicUser[] }>('GET', '/api/users'),
  discussions: () => request<{ discussions: DiscussionSummary[] }>('GET', '/api/discussions'),
  createDiscussion: (memberIds: string[], title?: string) =>
    request<DiscussionSummary>('POST', '/api/discussions', title ? { memberIds, title } : { memberIds }),
  discussion: (id: string) => request<DiscussionSummary>('GET', `/api/discussions/${encodeURIComponent(id)}`),
  renameDiscussion: (id: string, title: string) =>
    request<DiscussionSummary>('PATCH', `/api/discussions/${encodeURIComponent(id)}`, { title }),
  /** Archive (read-only for everyone) or restore a discussion: owners, moderators, admins. */
  archiveDiscussion: (id: string, archived: boolean) =>
    request<DiscussionSummary>(
      'POST',
      `/api/discussions/${encodeURIComponent(id)}/${archived ? 'archive' : 'unarchive'}`,
    ),
};

/** ws(s)://host of the page, for /api/events and /sync. */
export function wsBase(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}
