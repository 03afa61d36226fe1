/**
 * PostgreSQL storage, for several nodes sharing one database (DATABASE_URL). The node creates and
 * migrates its schema itself at start (node-pg-migrate, files in sync-server/migrations/, under
 * an advisory lock so nodes starting together migrate once). Each method is one statement or
 * one transaction; a commit has returned only once PostgreSQL has made it durable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import * as Y from 'yjs';
import { postgresDirectory } from './postgres-directory.js';
import { postgresBlobStore, postgresFileIndex } from './postgres-files.js';
import { appendBatcher } from './append-batcher.js';
import { guardPool, transaction } from './pg-transaction.js';
import type { BlobStore, DocStore, Storage } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
/** sync-server/migrations: two levels above src/storage/ (tsx, tests), one above dist/ (the built server). */
export const MIGRATIONS_DIR = [resolve(here, '../../migrations'), resolve(here, '../migrations')].find((d) =>
  existsSync(d),
) as string;

/** BIGINT (int8) columns hold milliseconds and sequence numbers: well within a safe integer. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresStorage extends Storage {
  pool: pg.Pool;
  blobs: BlobStore;
}

/** Run the migrations not yet applied to this database (nodes starting together wait their turn). */
export async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      advisoryLockMode: 'wait',
      log: () => undefined,
    });
  } finally {
    await client.end();
  }
}

export async function openPostgres(
  url: string,
  options: { poolSize?: number } = {},
): Promise<PostgresStorage> {
  await migratePostgres(url);
  // Connections once opened stay open (idleTimeoutMillis 0; pg closes idle ones after 10 s by
  // default): in the benchmark, the moment a node's idle connections closed (their backend
  // processes ending, new ones starting for the next burst) stalled deliveries for up to 100 ms.
  const pool = guardPool(
    new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 0,
    }),
  );
  // An idle client that loses its connection emits here; the next query gets a fresh one.
  pool.on('error', () => undefined);
  return {
    pool,
    docs: postgresDocStore(pool),
    directory: postgresDirectory(pool),
    files: postgresFileIndex(pool),
    blobs: postgresBlobStore(pool),
    // One INSERT: of the nodes racing for the day, the one whose row went in runs the job.
    async claimDailyRun(job, day) {
      const { rowCount } = await pool.query(
        'INSERT INTO daily_runs (job, day, claimed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [job, day, Date.now()],
      );
      return rowCount === 1;
    },
    async close() {
      await pool.end();
    },
  };
}

const bytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** A row's RowId (types.ts): an update by its sequence number, a snapshot by `s` and its own id. */
const ROW_ID = "CASE WHEN snapshot IS NULL THEN seq::text ELSE 's' || snapshot END";

/** Several rows in one INSERT, numbered in their order (one transaction). */
const INSERT_ROWS =
  'INSERT INTO doc_updates (doc_id, data) SELECT doc_id, data ' +
  'FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS r(doc_id, data, n) ORDER BY n RETURNING seq';

function postgresDocStore(pool: pg.Pool): DocStore {
  // Messages of many discussions committed at once go as one statement (append-batcher.ts).
  const append = appendBatcher({
    async insert(rows) {
      if (rows.length === 1) {
        const { rows: out } = await pool.query<{ seq: number }>(
          'INSERT INTO doc_updates (doc_id, data) VALUES ($1, $2) RETURNING seq',
          [rows[0].docId, buffer(rows[0].update)],
        );
        return [out[0].seq];
      }
      const { rows: out } = await pool.query<{ seq: number }>(INSERT_ROWS, [
        rows.map((r) => r.docId),
        rows.map((r) => buffer(r.update)),
      ]);
      // Numbers are drawn in the rows' order (ORDER BY n), whatever order RETURNING lists them in.
      return out.map((r) => r.seq).sort((a, b) => a - b);
    },
  });
  return {
    append,
    async load(docId) {
      const { rows } = await pool.query<{ seq: number; row: string; data: Buffer }>(
        `SELECT seq, ${ROW_ID} AS row, data FROM doc_updates WHERE doc_id = $1 ORDER BY seq`,
        [docId],
      );
      return {
        updates: rows.map((r) => bytes(r.data)),
        lastSeq: rows.at(-1)?.seq ?? 0,
        rows: rows.map((r) => r.row),
      };
    },
    /**
     * Several nodes may hold the same document: another node's update with a sequence number
     * below upToSeq may not have reached the caller's snapshot yet, and another node's compaction
     * may have replaced rows the caller holds by a snapshot of its own. So the rows being replaced
     * that the caller does not hold are folded into the snapshot here, under a per-document lock,
     * and nothing stored is lost whatever the caller's document had seen; the rows it holds (in
     * the usual case, all of them) are only deleted, their bytes not even read. Rows committed
     * meanwhile stay as they are.
     */
    async compact(docId, snapshot, upToSeq, held) {
      return transaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [docId]);
        const { rows } = await client.query<{ data: Buffer | null }>(
          `DELETE FROM doc_updates WHERE doc_id = $1 AND seq <= $2 RETURNING
             CASE WHEN ${ROW_ID} = ANY($3::text[])
             THEN NULL ELSE data END AS data`,
          [docId, upToSeq, [...(held ?? [])]],
        );
        const unheld = rows.flatMap((r) => (r.data ? [bytes(r.data)] : []));
        let folded = snapshot;
        if (unheld.length > 0) {
          const doc = new Y.Doc({ gc: true });
          Y.applyUpdate(doc, snapshot);
          for (const update of unheld) Y.applyUpdate(doc, update);
          folded = Y.encodeStateAsUpdate(doc);
          doc.destroy();
        }
        const inserted = await client.query<{ row: string }>(
          `INSERT INTO doc_updates (seq, doc_id, data, snapshot) VALUES ($1, $2, $3, $4) RETURNING ${ROW_ID} AS row`,
          [upToSeq, docId, buffer(folded), randomBytes(12).toString('base64url')],
        );
        return { row: inserted.rows[0].row, missed: unheld };
      });
    },
    async version(docId) {
      const { rows } = await pool.query<{ v: number | null }>(
        'SELECT MAX(seq) AS v FROM doc_updates WHERE doc_id = $1',
        [docId],
      );
      return rows[0]?.v ?? 0;
    },
    async versions(docIds) {
      // One index lookup per document (its last row), however long its stored history.
      const { rows } = await pool.query<{ doc_id: string; v: number | null }>(
        'SELECT d.doc_id, (SELECT seq FROM doc_updates u WHERE u.doc_id = d.doc_id ORDER BY seq DESC LIMIT 1) AS v ' +
          'FROM unnest($1::text[]) AS d(doc_id)',
        [docIds],
      );
      const found = new Map(rows.map((r) => [r.doc_id, r.v ?? 0]));
      return new Map(docIds.map((id) => [id, found.get(id) ?? 0]));
    },
    async remove(docId) {
      await pool.query('DELETE FROM doc_updates WHERE doc_id = $1', [docId]);
    },
  };
}
