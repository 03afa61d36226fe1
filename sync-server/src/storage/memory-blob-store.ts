/** BlobStore in memory: the reference for the contract suite and for unit tests. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobTooLargeError, type BlobStore } from './types.js';

export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, Buffer>();
  return {
    async put(source, options = {}) {
      const max = options.maxBytes ?? Infinity;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > max) throw new BlobTooLargeError(max);
        chunks.push(Buffer.from(chunk));
      }
      const bytes = Buffer.concat(chunks);
      const hash = createHash('sha256').update(bytes).digest('hex');
      blobs.set(hash, bytes);
      return { hash, size };
    },
    async get(hash) {
      const bytes = blobs.get(hash);
      return bytes ? Readable.from([bytes]) : null;
    },
    async has(hash) {
      return blobs.has(hash);
    },
    async remove(hash) {
      blobs.delete(hash);
    },
  };
}
