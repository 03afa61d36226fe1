/**
 * Several nodes holding the same discussion stay in step: each update a node commits is published
 * (after the commit: storage first, then the others), and every other node that holds the
 * document in memory applies it and relays it to its own connections. A node follows only the
 * documents it holds; on loading one, and whenever the broker comes back after a loss, it reads
 * the stored history again, so an update published while it was not listening is not missed.
 * Pub/sub can also lose a message without any link being seen down (the publishing node's own
 * link was away): every few seconds each held document's stored version is read, and a document
 * that has still not applied the version read at the previous check is caught up.
 */
import type { Logger } from '../log.js';
import type { Broker } from './broker.js';
import type { DocManager, DocObserver } from './doc-manager.js';

/** How often a node checks that the documents it holds are not behind storage (several nodes only). */
export const CHECK_BEHIND_MS = 2_000;

export class Replication implements DocObserver {
  private readonly timer: NodeJS.Timeout | null = null;
  /** Each held document's stored version as the previous check read it. */
  private readonly storedAtLastCheck = new Map<string, number>();

  constructor(
    private readonly docs: Pick<
      DocManager,
      'applyRemote' | 'catchUp' | 'loadedIds' | 'appliedSeq' | 'storedVersion'
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
   * A document is behind when what storage held at the previous check has still not been applied
   * here: an update stored a moment ago is usually on its way through Redis, and reading the whole
   * history again for it (on the document's queue) would only hold up this node's own commits.
   */
  private async checkBehind(): Promise<void> {
    const held = new Set(this.docs.loadedIds());
    for (const id of this.storedAtLastCheck.keys()) if (!held.has(id)) this.storedAtLastCheck.delete(id);
    for (const id of held) {
      const applied = this.docs.appliedSeq(id);
      if (applied === null) continue;
      const earlier = this.storedAtLastCheck.get(id);
      if (earlier !== undefined && applied < earlier) this.catchUp(id);
      try {
        this.storedAtLastCheck.set(id, await this.docs.storedVersion(id));
      } catch {
        return; // storage unreachable: the next check tries again
      }
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
  }

  private catchUp(docId: string): void {
    this.docs.catchUp(docId).catch((err: unknown) => {
      this.logger?.warn({ event: 'catch_up_failed', doc: docId, err }, 'catch-up from storage failed');
    });
  }
}
