/**
 * The admin console's backups: the server's backups folder (GET /api/admin/backups) and
 * « Sauvegarder maintenant » (POST), followed until the backup is written or has failed.
 */
import type { BackupInfo } from '@palabre/shared';
import { request } from '$lib/api.js';
import type { LoadState } from './admin.svelte.js';

const POLL_MS = 1000;

class BackupsState {
  backups = $state.raw<BackupInfo[]>([]);
  dir = $state('');
  loadState = $state<LoadState>('idle');
  starting = $state(false);
  /** The backup started from this page, as last seen: what the result line says. */
  current = $state.raw<BackupInfo | null>(null);
  private timer: ReturnType<typeof setTimeout> | null = null;

  async load(): Promise<void> {
    if (this.loadState !== 'ready') this.loadState = 'loading';
    try {
      const { backups, dir } = await request<{ backups: BackupInfo[]; dir: string }>(
        'GET',
        '/api/admin/backups',
      );
      this.backups = backups;
      this.dir = dir;
      this.loadState = 'ready';
      if (this.current) this.current = backups.find((b) => b.name === this.current?.name) ?? this.current;
      this.follow();
    } catch (error) {
      if (this.loadState !== 'ready') this.loadState = 'error';
      throw error;
    }
  }

  async start(): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    try {
      const { backup, dir } = await request<{ backup: BackupInfo; dir: string }>(
        'POST',
        '/api/admin/backups',
      );
      this.current = backup;
      this.dir = dir;
      this.backups = [backup, ...this.backups.filter((b) => b.name !== backup.name)];
      this.follow();
    } finally {
      this.starting = false;
    }
  }

  /** While a backup runs, the list is read again every second. */
  private follow(): void {
    if (this.timer || !this.backups.some((b) => b.status === 'running')) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.load().catch(() => this.follow());
    }, POLL_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export const backups = new BackupsState();
