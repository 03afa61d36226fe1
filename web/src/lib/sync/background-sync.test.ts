import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackgroundSync,
  LIVE_SETTLE_MS,
  type BackgroundSyncDeps,
  type SyncableDoc,
} from './background-sync.js';
import type { DocInfo } from './storage.js';

const ME = 'me00000000000000000a';

function setup(options: { live?: boolean; idle?: () => Promise<void> } = {}) {
  const infos = new Map<string, DocInfo>();
  const held = new Set<string>();
  const doc: SyncableDoc & { live: boolean } = {
    live: options.live ?? false,
    whenLoaded: Promise.resolve(),
    whenIdle: options.idle ?? (() => Promise.resolve()),
    whenSocketsClosed: () => Promise.resolve(),
  };
  const summaries = [
    { id: 'old', version: 3, lastActivityAt: 10 },
    { id: 'recent', version: 5, lastActivityAt: 20 },
    { id: 'uptodate', version: 2, lastActivityAt: 30 },
  ];
  infos.set('uptodate', { v: 2, unread: 0, pending: 0, last: null });
  const deps: BackgroundSyncDeps = {
    user: () => ME,
    summaries: () => summaries,
    version: (id) => summaries.find((s) => s.id === id)?.version,
    online: () => true,
    docs: {
      acquire: (_user, id) => (held.add(id), doc),
      release: (id) => void held.delete(id),
      peek: () => (doc.live ? doc : undefined),
      held: (id) => held.has(id),
    },
    cache: {
      get: (id) => infos.get(id) ?? { v: 0, unread: 0, pending: 0, last: null },
      update: (id, patch) => void infos.set(id, { ...deps.cache.get(id), ...patch }),
    },
  };
  return { sync: new BackgroundSync(deps), infos, held, doc };
}

describe('BackgroundSync', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('syncs the discussions the server has more of, most recent first, and skips those up to date', () => {
    const { sync, infos } = setup();
    expect(sync.candidates()).toEqual(['recent', 'old']);
    infos.set('old', { v: 0, unread: 0, pending: 1, last: null });
    expect(sync.candidates()).toEqual(['old', 'recent']);
  });

  it('records the version the summary had once the document is idle, and lets the document go', async () => {
    const { sync, infos, held } = setup();
    await sync.syncOne('recent');
    expect(infos.get('recent')?.v).toBe(5);
    expect(held.size).toBe(0);
    expect(sync.candidates()).toEqual(['old']);
  });

  it('records nothing when the sync fails (it is tried again later)', async () => {
    const { sync, infos, held } = setup({ idle: () => Promise.reject(new Error('timeout')) });
    await expect(sync.syncOne('recent')).rejects.toThrow('timeout');
    expect(infos.get('recent')).toBeUndefined();
    expect(held.size).toBe(0);
  });

  it('gives the open thread’s live document a moment, and records nothing if it dropped meanwhile', async () => {
    const { sync, infos, doc } = setup({ live: true });
    const syncing = sync.syncOne('recent');
    const outcome = syncing.then(
      () => 'recorded',
      (error: Error) => error.message,
    );
    doc.live = false;
    await vi.advanceTimersByTimeAsync(LIVE_SETTLE_MS);
    expect(await outcome).toBe('connection lost');
    expect(infos.get('recent')).toBeUndefined();
  });
});
