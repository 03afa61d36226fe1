/** My sessions (GET /api/me/sessions): list them, end one, end all the others. */
import type { SessionInfo } from '@palabre/shared';
import { request } from '$lib/api.js';

export type SessionsLoad = 'idle' | 'loading' | 'ready' | 'error';

class SessionsState {
  list = $state.raw<SessionInfo[]>([]);
  state = $state<SessionsLoad>('idle');

  async load(): Promise<void> {
    if (this.state !== 'ready') this.state = 'loading';
    try {
      const { sessions } = await request<{ sessions: SessionInfo[] }>('GET', '/api/me/sessions');
      // This session first, then the most recently used.
      this.list = [...sessions].sort(
        (a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt,
      );
      this.state = 'ready';
    } catch (error) {
      if (this.state !== 'ready') this.state = 'error';
      throw error;
    }
  }

  /** End another of my sessions: the server closes its connections at once. */
  async end(id: string): Promise<void> {
    await request<null>('DELETE', `/api/me/sessions/${encodeURIComponent(id)}`);
    this.list = this.list.filter((s) => s.id !== id);
  }

  /** End every session but this one; returns how many ended. */
  async endOthers(): Promise<number> {
    const { ended } = await request<{ ended: number }>('DELETE', '/api/me/sessions');
    this.list = this.list.filter((s) => s.current);
    return ended;
  }
}

export const sessions = new SessionsState();
