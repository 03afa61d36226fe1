/**
 * The backup's container: a plain POSIX tar (ustar) file, written and read by these ~150 lines
 * so that the reader accepts exactly what the writer makes (regular files, names under 100
 * bytes, a checksum on every header) and nothing else. Any tar tool can list or unpack it
 * (`tar -tvf`). Sizes of 8 GiB and more use GNU's base-256 size field, which GNU tar and
 * bsdtar read.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { BackupError } from './errors.js';

const BLOCK = 512;
const CHUNK = 1 << 20;
const OCTAL_SIZE_LIMIT = 8 ** 11;

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0'), offset, length - 1, 'ascii');
  buf[offset + length - 1] = 0;
}

function writeSize(buf: Buffer, size: number): void {
  if (size < OCTAL_SIZE_LIMIT) return octal(buf, 124, 12, size);
  // GNU base-256: high bit of the first byte set, the number big-endian in the rest.
  buf.fill(0, 124, 136);
  buf[124] = 0x80;
  let rest = BigInt(size);
  for (let i = 135; i > 124; i--) {
    buf[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

export function tarHeader(name: string, size: number, mtime: Date, mode = 0o600): Buffer {
  if (Buffer.byteLength(name) >= 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  writeSize(h, size);
  octal(h, 136, 12, Math.floor(mtime.getTime() / 1000));
  h[156] = 0x30; // '0': regular file
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write('palabre', 265, 32, 'ascii');
  h.write('palabre', 297, 32, 'ascii');
  octal(h, 148, 7, checksum(h));
  h[155] = 0x20;
  return h;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/** Appends entries to an open file; `end()` writes the two zero blocks that close a tar. */
export class TarWriter {
  private position = 0;
  /** SHA-256 of every byte written, so the caller can tell the archive's own hash. */
  private readonly hash = createHash('sha256');
  constructor(private readonly fh: FileHandle) {}

  private async write(buf: Buffer): Promise<void> {
    this.hash.update(buf);
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }

  /** One entry whose bytes come from `chunks`, which must add up to exactly `size`. */
  async entry(name: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    await this.write(tarHeader(name, size, new Date()));
    let written = 0;
    for await (const chunk of chunks) {
      written += chunk.length;
      if (written > size) break;
      await this.write(chunk);
    }
    if (written !== size) throw new Error(`${name}: ${written} bytes read, ${size} expected`);
    await this.write(Buffer.alloc(padding(size)));
  }

  async end(): Promise<{ size: number; sha256: string }> {
    await this.write(Buffer.alloc(BLOCK * 2));
    return { size: this.position, sha256: this.hash.digest('hex') };
  }
}

function readOctal(buf: Buffer, offset: number, length: number): number | null {
  if (offset === 124 && (buf[124]! & 0x80) !== 0) {
    let value = 0n;
    for (let i = 125; i < 136; i++) value = (value << 8n) | BigInt(buf[i]!);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  }
  const text = buf
    .toString('ascii', offset, offset + length)
    .replace(/[\0 ]+$/, '')
    .trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : null;
}

export interface TarEntry {
  name: string;
  size: number;
  /** The entry's bytes, in chunks of at most 1 MiB; must be read to the end before the next entry. */
  body: AsyncIterable<Buffer>;
}

/**
 * Every entry of a tar file, in order. Throws BackupError `backup_truncated` when the file ends
 * inside an entry or before the closing blocks, `backup_corrupt` on a damaged header.
 */
export async function* readTar(fh: FileHandle, fileSize: number): AsyncGenerator<TarEntry> {
  let position = 0;
  const readExactly = async (length: number, what: string): Promise<Buffer> => {
    if (position + length > fileSize)
      throw new BackupError(
        'backup_truncated',
        `the file ends in the middle of ${what} (at byte ${fileSize}): the backup is truncated`,
      );
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw new BackupError('backup_truncated', `the file ends inside ${what}`);
      done += bytesRead;
    }
    position += length;
    return buf;
  };
  for (;;) {
    if (position === fileSize)
      throw new BackupError('backup_truncated', 'the file ends without the closing blocks of a tar');
    const header = await readExactly(BLOCK, 'an entry header');
    if (header.every((b) => b === 0)) {
      const second = await readExactly(BLOCK, 'the closing blocks');
      if (!second.every((b) => b === 0))
        throw new BackupError('backup_corrupt', `unexpected bytes at offset ${position - BLOCK}`);
      return;
    }
    const stored = readOctal(header, 148, 8);
    if (stored === null || stored !== checksum(header))
      throw new BackupError('backup_corrupt', `damaged entry header at offset ${position - BLOCK}`);
    const nameEnd = header.indexOf(0, 0);
    const name = header.toString('utf8', 0, nameEnd === -1 || nameEnd > 100 ? 100 : nameEnd);
    const size = readOctal(header, 124, 12);
    const type = header[156];
    if (size === null || (type !== 0x30 && type !== 0))
      throw new BackupError('backup_corrupt', `entry ${name} is not a plain file`);
    const start = position;
    let consumed = 0;
    const body = async function* () {
      while (consumed < size) {
        const n = Math.min(CHUNK, size - consumed);
        position = start + consumed;
        const chunk = await readExactly(n, `entry ${name}`);
        consumed += n;
        yield chunk;
      }
    };
    yield { name, size, body: body() };
    if (consumed !== size) throw new Error(`entry ${name} was not read to its end`);
    position = start + size;
    await readExactly(padding(size), `entry ${name}`);
  }
}
