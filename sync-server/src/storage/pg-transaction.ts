/**
 * PostgreSQL plumbing shared by the adapters: one transaction on one client of the pool, and
 * the pool's failures to reach the database turned into StorageUnavailableError (503).
 */
import type pg from 'pg';
import { StorageUnavailableError } from './types.js';

/** Is this error the database being out of reach (rather than a refused statement)? */
export function unreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code) ||
    /^(08|57P)/.test(code) ||
    /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed/i.test(
      message,
    )
  );
}

const mapped = (err: unknown) => (unreachable(err) ? new StorageUnavailableError(err) : err);

/**
 * Make every query and connect of the pool report an unreachable database as StorageUnavailableError.
 * A query given as text and values runs as a named prepared statement: each connection parses and
 * plans it once, then sends only the values (a message's INSERT, several hundred a second under
 * load, skips PostgreSQL's parser and planner).
 */
export function guardPool(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient>;
  const names = new Map<string, string>();
  const prepared = (args: unknown[]): unknown[] => {
    const [text, values] = args;
    if (typeof text !== 'string' || !Array.isArray(values)) return args;
    let name = names.get(text);
    if (!name) names.set(text, (name = `palabre_${names.size}`));
    return [{ name, text, values }, ...args.slice(2)];
  };
  pool.query = (async (...args: unknown[]) => {
    try {
      return await query(...prepared(args));
    } catch (err) {
      throw mapped(err);
    }
  }) as typeof pool.query;
  // pool.query itself calls connect with a callback: that form is left as it is.
  pool.connect = ((...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return connect().catch((err: unknown) => {
      throw mapped(err);
    });
  }) as typeof pool.connect;
  return pool;
}

export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw mapped(err);
  } finally {
    client.release();
  }
}
