/**
 * BlobStore on the filesystem: DATA_DIR/files/<2 hex>/<64 hex>. Bytes are written to a temporary
 * file while their SHA-256 is computed, then renamed into place (atomic on one filesystem), so a
 * reader never sees half a blob and a crash leaves at most a temporary file, swept on open.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { BlobTooLargeError, type BlobStore } from './types.js';

const HASH = /^[0-9a-f]{64}$/;

export function createFsBlobStore(root: string): BlobStore {
  const tmp = join(root, 'tmp');
  mkdirSync(tmp, { recursive: true });
  for (const name of readdirSync(tmp)) rmSync(join(tmp, name), { force: true });
  const pathOf = (hash: string) => {
    // The hash names a path: anything but 64 hex digits never reaches the filesystem.
    if (!HASH.test(hash)) return null;
    return join(root, hash.slice(0, 2), hash);
  };

  return {
    async put(source, options = {}) {
      const max = options.maxBytes ?? Infinity;
      const temp = join(tmp, randomBytes(12).toString('hex'));
      const out = createWriteStream(temp);
      const sha = createHash('sha256');
      let size = 0;
      try {
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size > max) throw new BlobTooLargeError(max);
          sha.update(chunk);
          if (!out.write(chunk)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'close');
        const hash = sha.digest('hex');
        const dest = pathOf(hash) as string;
        await mkdir(join(root, hash.slice(0, 2)), { recursive: true });
        await rename(temp, dest); // same bytes already there: replaced by identical bytes
        return { hash, size };
      } catch (err) {
        // The stream opens its file asynchronously: wait until it is closed, or the open could
        // land after the removal and leave a temporary file behind.
        if (!out.closed) {
          const closed = once(out, 'close');
          out.destroy();
          await closed.catch(() => undefined);
        }
        await rm(temp, { force: true });
        throw err;
      }
    },
    async get(hash) {
      const path = pathOf(hash);
      if (!path) return null;
      const stream = createReadStream(path);
      try {
        await once(stream, 'open');
        return stream;
      } catch {
        return null;
      }
    },
    async has(hash) {
      const path = pathOf(hash);
      if (!path) return false;
      return access(path).then(
        () => true,
        () => false,
      );
    },
    async remove(hash) {
      const path = pathOf(hash);
      if (path) await rm(path, { force: true });
    },
  };
}
