/**
 * Files: upload (streamed into the BlobStore, never whole in memory), previews, access, and
 * removal once no message refers to a file. A file belongs to the discussion it was uploaded
 * to; its bytes are shared by content hash with every identical file, in any discussion, and
 * removed when the last file row pointing at them goes.
 */
import { Readable } from 'node:stream';
import type Sharp from 'sharp';
import {
  Action,
  ErrorCode,
  MAX_FILE_NAME_LENGTH,
  can,
  hasPreview,
  newId,
  type FileRef,
} from '@palabre/shared';
import { AppError } from '../errors.js';
import { BlobTooLargeError, type BlobStore, type FileIndex, type FileRow } from '../storage/types.js';
import type { DiscussionService } from './discussions.js';
import type { FileRefs } from './file-refs.js';

/** The longest side of a preview, in pixels (twice what the thread shows, for dense screens). */
export const PREVIEW_SIZE = 640;
/** Decoding more pixels than this is refused (a small file can unpack into gigabytes). */
const MAX_PREVIEW_INPUT_PIXELS = 64_000_000;

export interface Upload {
  /** The bytes as they arrive. */
  bytes: AsyncIterable<Uint8Array>;
  name: string;
  type: string;
}

export class FileService {
  /** Serialises "is this hash still used?" with "a new row uses this hash". */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly index: FileIndex,
    private readonly blobs: BlobStore,
    private readonly discussions: DiscussionService,
    private readonly refs: FileRefs,
    readonly maxBytes: number,
    private readonly log: (event: string, details: Record<string, unknown>) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Who may upload to a discussion: 404/403 like every discussion endpoint; readers cannot write. */
  async checkUploader(discussionId: string, userId: string, orgRole: 'admin' | 'user'): Promise<void> {
    const { row, role } = await this.discussions.access(discussionId, userId);
    if (!can(role, Action.Write, orgRole))
      throw new AppError(ErrorCode.Forbidden, 'Readers cannot send files');
    if (row.archivedAt !== null)
      throw new AppError(ErrorCode.DiscussionArchived, 'This discussion is archived: it is read-only');
  }

  async upload(discussionId: string, userId: string, upload: Upload): Promise<FileRef> {
    let stored: { hash: string; size: number };
    try {
      stored = await this.blobs.put(upload.bytes, { maxBytes: this.maxBytes });
    } catch (err) {
      if (err instanceof BlobTooLargeError) throw tooLarge(this.maxBytes);
      throw err;
    }
    const type = cleanType(upload.type);
    const previewHash = hasPreview({ type }) ? await this.makePreview(stored.hash) : null;
    const row: FileRow = {
      id: newId(),
      discussionId,
      name: cleanName(upload.name),
      type,
      size: stored.size,
      hash: stored.hash,
      previewHash,
      uploadedBy: userId,
      createdAt: this.now(),
    };
    await this.locked(async () => {
      // A release may have removed identical bytes between our put and now: never point at nothing.
      if (!(await this.blobs.has(row.hash)) || (previewHash && !(await this.blobs.has(previewHash))))
        throw new AppError(ErrorCode.Internal, 'The file was removed meanwhile; send it again');
      await this.index.insert(row);
    });
    const ref: FileRef = { id: row.id, name: row.name, type: row.type, size: row.size };
    this.refs.added(discussionId, ref);
    return ref;
  }

  /** The file if this user may read it. 404 for unknown and for forbidden alike: ids reveal nothing. */
  async readable(fileId: string, userId: string): Promise<FileRow> {
    const row = await this.index.byId(fileId);
    const role = row ? await this.discussions.roleOf(row.discussionId, userId) : null;
    if (!row || !role) throw new AppError(ErrorCode.FileNotFound, 'No such file');
    return row;
  }

  async open(hash: string): Promise<NodeJS.ReadableStream> {
    const stream = await this.blobs.get(hash);
    if (!stream) throw new AppError(ErrorCode.FileNotFound, 'No such file');
    return stream;
  }

  filesOf(discussionId: string): Promise<FileRef[]> {
    return this.index
      .ofDiscussion(discussionId)
      .then((rows) => rows.map((r) => ({ id: r.id, name: r.name, type: r.type, size: r.size })));
  }

  /**
   * No message refers to these files any more (or a retention purge removes them): forget them on
   * every node, and their bytes if nothing shares them.
   */
  async release(discussionId: string, fileIds: string[]): Promise<void> {
    await this.locked(async () => {
      const rows = (await Promise.all(fileIds.map((id) => this.index.byId(id)))).filter(
        (r): r is FileRow => r !== null && r.discussionId === discussionId,
      );
      const ids = rows.map((r) => r.id);
      const unused = await this.index.remove(ids);
      // Every node holding the discussion forgets them: referring to them again is refused.
      this.refs.removed(discussionId, ids);
      for (const hash of unused) await this.blobs.remove(hash);
      this.log('files_removed', { discussion: discussionId, files: rows.length, blobs: unused.length });
    });
  }

  private async makePreview(hash: string): Promise<string | null> {
    try {
      const source = await this.blobs.get(hash);
      if (!source) return null;
      const sharp = await loadSharp();
      const resize = sharp({ limitInputPixels: MAX_PREVIEW_INPUT_PIXELS, sequentialRead: true })
        .rotate() // follow the camera's orientation
        .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 });
      const preview = Readable.from(source as AsyncIterable<Uint8Array>).pipe(resize);
      return (await this.blobs.put(preview as AsyncIterable<Uint8Array>)).hash;
    } catch (err) {
      // Not an image after all, or one too large to decode: shown as a file card instead.
      this.log('preview_failed', { hash, error: String(err) });
      return null;
    }
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn);
    this.lock = result.catch(() => undefined);
    return result;
  }
}

/**
 * sharp and its native libvips (tens of MiB resident) are loaded on the first preview, not at
 * start: a server that never receives an image never holds them.
 */
let sharpModule: Promise<typeof Sharp> | null = null;
function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

export const tooLarge = (maxBytes: number) =>
  new AppError(ErrorCode.FileTooLarge, `A file is limited to ${maxBytes} bytes`, { maxBytes });

/** The name as shown: no path, no control characters, at most 255 characters. */
export function cleanName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const name = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_FILE_NAME_LENGTH);
  return name === '' ? 'fichier' : name;
}

/** A media type `type/subtype`, lower case, parameters dropped; anything else is octet-stream. */
export function cleanType(raw: string): string {
  const type = raw.split(';')[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type)
    ? type
    : 'application/octet-stream';
}
