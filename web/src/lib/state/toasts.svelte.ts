/** Transient notices, and handleError: the one place that turns any failure into a toast. */
import { ApiError, NETWORK } from '$lib/api.js';
import { hasKey, t } from '$lib/i18n/index.svelte.js';

export interface Toast {
  id: number;
  message: string;
  kind: 'error' | 'info';
}

class ToastState {
  items = $state<Toast[]>([]);
  #next = 1;

  push(message: string, kind: Toast['kind'] = 'error', durationMs = 6000): void {
    // The same message twice in a row (a retry loop, a double click) is shown once.
    if (this.items.some((toast) => toast.message === message)) return;
    const id = this.#next++;
    this.items.push({ id, message, kind });
    if (durationMs > 0) setTimeout(() => this.dismiss(id), durationMs);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id);
  }
}

export const toasts = new ToastState();

/** A message for the user, in their language, for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === NETWORK) return t('errors.network');
    const key = `errors.${error.code}`;
    if (hasKey(key)) return t(key);
    return error.message || t('errors.unknown');
  }
  return t('errors.unknown');
}

export function handleError(error: unknown): void {
  // An expired session is handled by a redirect to /login, not by a toast.
  if (error instanceof ApiError && error.status === 401) return;
  if (!(error instanceof ApiError)) console.warn(error);
  toasts.push(errorMessage(error));
}

/** For background refreshes: silent when offline or the server is down (they retry), reported otherwise. */
export function quietly(error: unknown): void {
  if (error instanceof ApiError && (error.code === NETWORK || error.status >= 500)) return;
  handleError(error);
}
