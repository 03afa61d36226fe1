/**
 * Files on PostgreSQL: the file index (same rows as sqlite-files.ts) and the file bytes, kept in
 * chunks of at most CHUNK_BYTES so that neither an upload nor a download holds a whole file in
 * memory. An upload is written in one transaction under a temporary key and renamed to its
 * SHA-256 at the end; a refused or broken upload rolls back and leaves nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { transaction } from './pg-transaction.js';
import { type FileDbRow, toFile } from './rows.js';
import { BlobTooLargeError, type BlobStore, type FileIndex } from './types.js';

export const CHUNK_BYTES = 256 * 1024;

export function postgresFileIndex(pool: pg.Pool): FileIndex {
  return {
    async insert(f) {
      await pool.query(
        'INSERT INTO files (id, discussion_id, name, type, size, hash, preview_hash, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [f.id, f.discussionId, f.name, f.type, f.size, f.hash, f.previewHash, f.uploadedBy, f.createdAt],
      );
    },
    async byId(id) {
      const { rows } = await pool.query<FileDbRow>('SELECT * FROM files WHERE id = $1', [id]);
      return rows[0] ? toFile(rows[0]) : null;
    },
    async ofDiscussion(discussionId) {
      const { rows } = await pool.query<FileDbRow>(
        'SELECT * FROM files WHERE discussion_id = $1 ORDER BY created_at, id',
        [discussionId],
      );
      return rows.map(toFile);
    },
    async remove(ids) {
      if (ids.length === 0) return [];
      return transaction(pool, async (client) => {
        const { rows } = await client.query<{ hash: string; preview_hash: string | null }>(
          'DELETE FROM files WHERE id = ANY($1) RETURNING hash, preview_hash',
          [ids],
        );
        const hashes = [
          ...new Set(rows.flatMap((r) => (r.preview_hash ? [r.hash, r.preview_hash] : [r.hash]))),
        ];
        if (hashes.length === 0) return [];
        // Bytes are shared by content: a preview could even equal another file's bytes.
        const used = await client.query<{ h: string }>(
          'SELECT hash AS h FROM files WHERE hash = ANY($1) UNION SELECT preview_hash FROM files WHERE preview_hash = ANY($1)',
          [hashes],
        );
        const still = new Set(used.rows.map((r) => r.h));
        return hashes.filter((h) => !still.has(h));
      });
    },
  };
}

/** Re-cut a stream into chunks of exactly CHUNK_BYTES (the last one shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const chunk of source) {
    let rest = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (held + rest.byteLength >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - held;
      yield Buffer.concat([...parts, rest.subarray(0, take)]);
      parts = [];
      held = 0;
      rest = rest.subarray(take);
    }
    if (rest.byteLength > 0) {
      parts.push(Buffer.from(rest));
      held += rest.byteLength;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

export function postgresBlobStore(pool: pg.Pool): BlobStore {
  return {
    async put(source, options = {}) {
      const max = options.maxBytes ?? Infinity;
      return transaction(pool, async (client) => {
        const temp = `upload:${randomUUID()}`;
        const sha = createHash('sha256');
        let size = 0;
        let n = 0;
        for await (const chunk of rechunk(source)) {
          size += chunk.byteLength;
          if (size > max) throw new BlobTooLargeError(max);
          sha.update(chunk);
          await client.query('INSERT INTO blob_chunks (blob, n, data) VALUES ($1, $2, $3)', [
            temp,
            n++,
            chunk,
          ]);
        }
        const hash = sha.digest('hex');
        // Serialise uploads of the same bytes: the first one keeps its chunks, the others drop theirs.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [hash]);
        const { rowCount } = await client.query(
          'INSERT INTO blobs (hash, size) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING',
          [hash, size],
        );
        if (rowCount === 1)
          await client.query('UPDATE blob_chunks SET blob = $1 WHERE blob = $2', [hash, temp]);
        else await client.query('DELETE FROM blob_chunks WHERE blob = $1', [temp]);
        return { hash, size };
      });
    },
    async get(hash) {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT COUNT(c.n)::int AS n FROM blobs b LEFT JOIN blob_chunks c ON c.blob = b.hash WHERE b.hash = $1 GROUP BY b.hash',
        [hash],
      );
      if (rows.length === 0) return null;
      const count = rows[0].n;
      // One chunk in memory at a time, read when the consumer asks for it.
      return Readable.from(
        (async function* () {
          for (let i = 0; i < count; i++) {
            const chunk = await pool.query<{ data: Buffer }>(
              'SELECT data FROM blob_chunks WHERE blob = $1 AND n = $2',
              [hash, i],
            );
            if (chunk.rows.length === 0) throw new Error(`file bytes ${hash} removed while being read`);
            yield chunk.rows[0].data;
          }
        })(),
      );
    },
    async has(hash) {
      const { rowCount } = await pool.query('SELECT 1 FROM blobs WHERE hash = $1', [hash]);
      return (rowCount ?? 0) > 0;
    },
    async remove(hash) {
      await transaction(pool, async (client) => {
        await client.query('DELETE FROM blobs WHERE hash = $1', [hash]);
        await client.query('DELETE FROM blob_chunks WHERE blob = $1', [hash]);
      });
    },
  };
}
