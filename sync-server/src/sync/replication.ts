/**
 * Several nodes holding the same discussion stay in step: each update a node commits is published
 * (after the commit: storage first, then the others), and every other node that holds the
 * document in memory applies it and relays it to its own connections. A node follows only the
 * documents it holds; on loading one, and whenever the broker comes back after a loss, it reads
 * the stored history again, so an update published while it was not listening is not missed.
 * Pub/sub can also lose a message without any link being seen down (the publishing node's own
 * link was away, or it died between commit and publish): every few seconds each held document's
 * stored version is read, and a document that seems to miss something is read again (checkBehind).
 */
import type { Logger } from '../log.js';
import type { Broker } from './broker.js';
import type { DocManager, DocObserver } from './doc-manager.js';

/** How often a node checks that the documents it holds are not behind storage (several nodes only). */
export const CHECK_BEHIND_MS = 2_000;

export class Replication implements DocObserver {
  private readonly timer: NodeJS.Timeout | null = null;
  /** Each held document's stored version at the previous check. */
  private readonly checked = new Map<string, number>();
  /** The stored version each held document was last read whole at (loaded or caught up). */
  private readonly readWhole = new Map<string, number>();

  constructor(
    private readonly docs: Pick<
      DocManager,
      'applyRemote' | 'catchUp' | 'loadedIds' | 'appliedSeq' | 'storedVersions' | 'lacksPredecessors'
    >,
    private readonly broker: Broker,
    private readonly logger?: Logger,
  ) {
    broker.onResume(() => {
      for (const id of docs.loadedIds()) this.catchUp(id);
    });
    broker.onControl((m) => {
      if (m.kind !== 'catch-up') return;
      const held = new Set(docs.loadedIds());
      for (const id of m.docIds) if (held.has(id)) this.catchUp(id);
    });
    if (broker.clustered) {
      this.timer = setInterval(() => void this.checkBehind(), CHECK_BEHIND_MS);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Read each held document's stored version, and read its whole history again when
   * - what storage held at the previous check has still not been applied here (an update stored a
   *   moment ago is usually on its way through Redis: reading everything for it would be wasted);
   * - it holds updates whose predecessors it lacks (one lost on the way, its author wrote again);
   * - its writes have paused (the version did not move since the previous check) and it was not
   *   read whole since they were made: an update lost on the way with nothing after it (its node
   *   died between commit and publish) is not behind by sequence number, since this node applied
   *   later ones, so it is looked for once per burst of writes.
   */
  private async checkBehind(): Promise<void> {
    const held = new Set(this.docs.loadedIds());
    for (const id of this.checked.keys()) if (!held.has(id)) this.checked.delete(id);
    if (held.size === 0) return;
    // Applied versions are read before the stored ones: an update applied in between only makes
    // a document look behind for one more check, never the reverse.
    const applied = new Map([...held].map((id) => [id, this.docs.appliedSeq(id)]));
    let versions: Map<string, number>;
    try {
      versions = await this.docs.storedVersions([...held]);
    } catch {
      return; // storage unreachable: the next check tries again
    }
    for (const [id, appliedSeq] of applied) {
      const stored = versions.get(id);
      if (appliedSeq === null || stored === undefined || this.docs.appliedSeq(id) === null) continue;
      const earlier = this.checked.get(id);
      this.checked.set(id, stored);
      if (earlier === undefined) continue;
      const behind = appliedSeq < earlier;
      const paused = stored === earlier && stored > (this.readWhole.get(id) ?? 0);
      if (behind || paused || this.docs.lacksPredecessors(id)) this.catchUp(id);
    }
  }

  loaded(docId: string): void {
    if (!this.broker.clustered) return;
    this.broker
      .follow(docId, (seq, update) => {
        try {
          this.docs.applyRemote(docId, seq, update);
        } catch (err) {
          this.logger?.error({ event: 'remote_update_failed', doc: docId, err }, 'remote update failed');
          this.catchUp(docId);
        }
      })
      .then(() => this.catchUp(docId))
      .catch((err: unknown) =>
        this.logger?.warn({ event: 'follow_failed', doc: docId, err }, 'follow failed'),
      );
  }

  committed(docId: string, version: number, update: Uint8Array): void {
    this.broker.publishUpdate(docId, version, update);
  }

  unloaded(docId: string): void {
    this.broker.unfollow(docId);
    this.readWhole.delete(docId);
  }

  private catchUp(docId: string): void {
    this.docs.catchUp(docId).then(
      (version) => {
        if (this.docs.appliedSeq(docId) === null) return; // unloaded meanwhile
        this.readWhole.set(docId, Math.max(version, this.readWhole.get(docId) ?? 0));
      },
      (err: unknown) => {
        this.logger?.warn({ event: 'catch_up_failed', doc: docId, err }, 'catch-up from storage failed');
      },
    );
  }
}
