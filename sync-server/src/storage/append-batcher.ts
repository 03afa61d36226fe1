/**
 * Appends to a shared database, gathered: while `inFlight` statements are under way, the
 * appends that come (from any document) wait and then go together, as one multi-row INSERT, one
 * transaction, one WAL flush. An append alone is sent at once: under light load nothing waits,
 * under heavy load the database commits a few batches instead of hundreds of transactions, each
 * waking a backend process on the machine's few cores.
 *
 * Each document's own appends are serialized by its queue (DocManager), so a batch holds at most
 * one update per document; the batcher does not rely on it (every row gets its own number).
 */

export interface AppendRow {
  docId: string;
  update: Uint8Array;
}

interface Waiting extends AppendRow {
  resolve(seq: number): void;
  reject(err: unknown): void;
}

export interface AppendBatcherOptions {
  /** Store the rows in one transaction; resolves with each row's sequence number, in order. */
  insert(rows: AppendRow[]): Promise<number[]>;
  /** Statements under way at once (default 2). */
  inFlight?: number;
  /** Rows in one statement at most (default 256). */
  maxRows?: number;
  /** Bytes of updates in one statement at most (default 4 MiB; a larger row goes alone). */
  maxBytes?: number;
}

export function appendBatcher(
  options: AppendBatcherOptions,
): (docId: string, update: Uint8Array) => Promise<number> {
  const limit = options.inFlight ?? 2;
  const maxRows = options.maxRows ?? 256;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const waiting: Waiting[] = [];
  let running = 0;

  const pump = () => {
    while (running < limit && waiting.length > 0) {
      let rows = 1;
      let bytes = waiting[0].update.byteLength;
      while (rows < Math.min(maxRows, waiting.length) && bytes + waiting[rows].update.byteLength <= maxBytes)
        bytes += waiting[rows++].update.byteLength;
      const batch = waiting.splice(0, rows);
      running++;
      options
        .insert(batch)
        .then((seqs) => {
          if (seqs.length !== batch.length) throw new Error(`stored ${seqs.length} of ${batch.length} rows`);
          batch.forEach((w, i) => w.resolve(seqs[i]));
        })
        .catch((err: unknown) => {
          for (const w of batch) w.reject(err);
        })
        .finally(() => {
          running--;
          pump();
        });
    }
  };

  return (docId, update) =>
    new Promise<number>((resolve, reject) => {
      waiting.push({ docId, update, resolve, reject });
      pump();
    });
}
