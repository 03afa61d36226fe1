/**
 * The BlobStore contract: one suite, run against every adapter (memory, filesystem, PostgreSQL). An adapter that passes it can replace another under the file routes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFsBlobStore } from './fs-blob-store.js';
import { createMemoryBlobStore } from './memory-blob-store.js';
import { freshPostgresStorage, openForEachTest, POSTGRES_TESTS } from './test-databases.js';
import { BlobTooLargeError, type BlobStore } from './types.js';

interface Adapter {
  store: BlobStore;
  close(): Promise<void>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function* chunksOf(bytes: Uint8Array, size = 64 * 1024) {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(stream: NodeJS.ReadableStream | null): Promise<Buffer | null> {
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

export function blobStoreContract(name: string, open: () => Promise<Adapter>) {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    openForEachTest(open, (adapter) => {
      store = adapter.store;
    });

    it('returns the bytes it was given, byte for byte, under their SHA-256', async () => {
      const bytes = randomBytes(300_000);
      const { hash, size } = await store.put(chunksOf(bytes));
      expect(hash).toBe(sha256(bytes));
      expect(size).toBe(bytes.byteLength);
      expect(await store.has(hash)).toBe(true);
      expect((await readAll(await store.get(hash)))?.equals(bytes)).toBe(true);
    });

    it('stores an empty file', async () => {
      const { hash, size } = await store.put(chunksOf(new Uint8Array(0)));
      expect(size).toBe(0);
      expect((await readAll(await store.get(hash)))?.byteLength).toBe(0);
    });

    it('keeps the same content once, whoever stores it and how often', async () => {
      const bytes = randomBytes(10_000);
      const [a, b] = await Promise.all([store.put(chunksOf(bytes, 1000)), store.put(chunksOf(bytes, 333))]);
      expect(a.hash).toBe(b.hash);
      await store.remove(a.hash);
      expect(await store.has(a.hash)).toBe(false);
      expect(await store.get(a.hash)).toBeNull();
    });

    it('refuses a source past maxBytes and keeps nothing of it', async () => {
      const bytes = randomBytes(200_000);
      await expect(store.put(chunksOf(bytes), { maxBytes: 100_000 })).rejects.toBeInstanceOf(
        BlobTooLargeError,
      );
      expect(await store.has(sha256(bytes))).toBe(false);
      expect(await store.has(sha256(bytes.subarray(0, 100_000)))).toBe(false);
      // Exactly at the limit is allowed.
      const exact = await store.put(chunksOf(bytes.subarray(0, 100_000)), { maxBytes: 100_000 });
      expect(exact.size).toBe(100_000);
    });

    it('removes only what it is asked to, and removing unknown bytes is no error', async () => {
      const one = await store.put(chunksOf(Buffer.from('one')));
      const two = await store.put(chunksOf(Buffer.from('two')));
      await store.remove(one.hash);
      await store.remove(one.hash);
      await store.remove('0'.repeat(64));
      expect(await store.has(one.hash)).toBe(false);
      expect((await readAll(await store.get(two.hash)))?.toString()).toBe('two');
    });

    it('answers nothing for hashes that are not hashes (no path tricks)', async () => {
      for (const bad of ['../../etc/passwd', '..', '', 'A'.repeat(64), `${'0'.repeat(63)}/`]) {
        expect(await store.has(bad)).toBe(false);
        expect(await store.get(bad)).toBeNull();
        await store.remove(bad);
      }
    });

    it('a source that fails midway stores nothing', async () => {
      async function* broken() {
        yield Buffer.from('first part');
        throw new Error('connection lost');
      }
      await expect(store.put(broken())).rejects.toThrow('connection lost');
      expect(await store.has(sha256(Buffer.from('first part')))).toBe(false);
    });
  });
}

blobStoreContract('memory', async () => ({ store: createMemoryBlobStore(), close: async () => {} }));

blobStoreContract('filesystem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palabre-blobs-'));
  return { store: createFsBlobStore(dir), close: async () => rmSync(dir, { recursive: true, force: true }) };
});

if (POSTGRES_TESTS)
  blobStoreContract('PostgreSQL', async () => {
    const { storage, close } = await freshPostgresStorage();
    return { store: storage.blobs, close };
  });

describe('filesystem BlobStore', () => {
  it('leaves no temporary file behind after a refused or failed put', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palabre-blobs-'));
    try {
      const store = createFsBlobStore(dir);
      await expect(store.put(chunksOf(randomBytes(5000)), { maxBytes: 1000 })).rejects.toThrow();
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
      expect(readdirSync(dir)).toEqual(['tmp']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
