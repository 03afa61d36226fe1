/**
 * Several nodes holding the same discussion stay in step: each update a node commits is published
 * (after the commit: storage first, then the others), and every other node that holds the
 * document in memory applies it and relays it to its own connections. A node follows only the
 * documents it holds; on loading one, and whenever the broker comes back after a loss, it reads
 * the stored history again, so an update published while it was not listening is not missed.
 */
import type { Logger } from '../log.js';
import type { Broker } from './broker.js';
import type { DocManager, DocObserver } from './doc-manager.js';

export class Replication implements DocObserver {
  constructor(
    private readonly docs: Pick<DocManager, 'applyRemote' | 'catchUp' | 'loadedIds'>,
    private readonly broker: Broker,
    private readonly logger?: Logger,
  ) {
    broker.onResume(() => {
      for (const id of docs.loadedIds()) this.catchUp(id);
    });
  }

  loaded(docId: string): void {
    if (!this.broker.clustered) return;
    this.broker
      .follow(docId, (seq, update) => {
        this.docs.applyRemote(docId, seq, update).catch((err: unknown) => {
          this.logger?.error({ event: 'remote_update_failed', doc: docId, err }, 'remote update failed');
          this.catchUp(docId);
        });
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
