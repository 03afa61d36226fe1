/** In-memory replicas for unit tests: updates queue per replica until flushed, like a network. */
import * as Y from 'yjs';

export class ReplicaSet {
  readonly docs: Y.Doc[];
  private readonly queues: Uint8Array[][];
  private readonly online: boolean[];

  constructor(count: number) {
    this.docs = Array.from({ length: count }, (_, i) => new Y.Doc({ gc: true, guid: `r${i}` }));
    this.queues = this.docs.map(() => []);
    this.online = this.docs.map(() => true);
    this.docs.forEach((doc, i) => {
      doc.clientID = 1000 + i;
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === 'remote') return;
        this.queues[i].push(update);
      });
    });
  }

  setOnline(index: number, online: boolean): void {
    this.online[index] = online;
  }

  /** Deliver every queued update of online replicas to every other online replica. */
  flush(): void {
    let moved = true;
    while (moved) {
      moved = false;
      this.docs.forEach((_, i) => {
        if (!this.online[i] || this.queues[i].length === 0) return;
        const updates = this.queues[i].splice(0);
        this.docs.forEach((other, j) => {
          if (j === i || !this.online[j]) return;
          for (const u of updates) Y.applyUpdate(other, u, 'remote');
        });
        moved = true;
      });
    }
    // A replica that was offline also needs what it missed: exchange full state vectors.
    this.docs.forEach((a, i) => {
      if (!this.online[i]) return;
      this.docs.forEach((b, j) => {
        if (i === j || !this.online[j]) return;
        Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'remote');
      });
    });
  }
}
