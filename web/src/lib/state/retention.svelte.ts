/**
 * The admin console's « Conservation »: the retention policy (GET/PUT /api/admin/retention), the
 * dry-run preview of a policy before it is saved (POST …/preview), « Appliquer maintenant »
 * (POST …/run) and per-discussion periods (PUT /api/admin/discussions/:id/retention).
 */
import type { RetentionPolicy, RetentionReport } from '@palabre/shared';
import { request } from '$lib/api.js';
import type { LoadState } from './admin.svelte.js';

export interface RetentionOverride {
  id: string;
  title: string | null;
  days: number;
}

class RetentionState {
  policy = $state.raw<RetentionPolicy>({ days: null, keepPinned: true });
  overrides = $state.raw<RetentionOverride[]>([]);
  loadState = $state<LoadState>('idle');
  /** The preview of `previewed` (the form's values when it was asked for). */
  preview = $state.raw<RetentionReport | null>(null);
  previewed = $state.raw<RetentionPolicy | null>(null);
  previewing = $state(false);
  saving = $state(false);
  running = $state(false);
  /** What the last « Appliquer maintenant » deleted. */
  lastRun = $state.raw<RetentionReport | null>(null);

  async load(): Promise<void> {
    if (this.loadState !== 'ready') this.loadState = 'loading';
    try {
      const { overrides, ...policy } = await request<RetentionPolicy & { overrides: RetentionOverride[] }>(
        'GET',
        '/api/admin/retention',
      );
      this.policy = policy;
      this.overrides = overrides;
      this.loadState = 'ready';
    } catch (error) {
      if (this.loadState !== 'ready') this.loadState = 'error';
      throw error;
    }
  }

  async previewOf(policy: RetentionPolicy): Promise<void> {
    this.previewing = true;
    try {
      this.preview = await request<RetentionReport>('POST', '/api/admin/retention/preview', policy);
      this.previewed = policy;
    } finally {
      this.previewing = false;
    }
  }

  async save(policy: RetentionPolicy): Promise<void> {
    this.saving = true;
    try {
      this.policy = await request<RetentionPolicy>('PUT', '/api/admin/retention', policy);
    } finally {
      this.saving = false;
    }
  }

  async run(): Promise<RetentionReport> {
    this.running = true;
    try {
      const report = await request<RetentionReport>('POST', '/api/admin/retention/run');
      this.lastRun = report;
      this.preview = null;
      this.previewed = null;
      return report;
    } finally {
      this.running = false;
    }
  }

  async setOverride(id: string, days: number | null): Promise<void> {
    await request('PUT', `/api/admin/discussions/${encodeURIComponent(id)}/retention`, { days });
    await this.load();
    this.preview = null;
    this.previewed = null;
  }
}

export const retention = new RetentionState();
