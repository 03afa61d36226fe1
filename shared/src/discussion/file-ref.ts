/**
 * A file as a message refers to it (no dependencies, so the message record can use it).
 * Files attached to messages. The bytes live on the server (REST, by content hash); a message
 * carries only references, with what the thread shows without asking: `{ id, name, type, size }`.
 * The server's update rules accept a reference only to a file uploaded to the same discussion,
 * with the same metadata, and it removes a file's bytes once no message refers to it any more.
 */
import { isId } from '../ids.js';

/** A file as a message refers to it. */
export interface FileRef {
  id: string;
  name: string;
  /** The media type the server stored (and serves). */
  type: string;
  size: number;
}

export const MAX_FILES_PER_MESSAGE = 10;
/** MAX_FILE_BYTES's default: 25 MB. */
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024;
export const MAX_FILE_NAME_LENGTH = 255;

export function isFileRef(value: unknown): value is FileRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const f = value as Record<string, unknown>;
  return (
    Object.keys(f).length === 4 &&
    typeof f.id === 'string' &&
    isId(f.id) &&
    typeof f.name === 'string' &&
    f.name.length > 0 &&
    f.name.length <= MAX_FILE_NAME_LENGTH &&
    typeof f.type === 'string' &&
    f.type.length <= 255 &&
    typeof f.size === 'number' &&
    Number.isSafeInteger(f.size) &&
    f.size >= 0
  );
}

/** A valid `files` field: 1 to MAX_FILES_PER_MESSAGE references, each file once. */
export function isFileList(value: unknown): value is FileRef[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILES_PER_MESSAGE) return false;
  if (!value.every(isFileRef)) return false;
  return new Set(value.map((f) => f.id)).size === value.length;
}

/** Images the server makes a reduced preview of (raster formats only: never SVG). */
export function hasPreview(file: Pick<FileRef, 'type'>): boolean {
  return /^image\/(png|jpeg|gif|webp|avif)$/.test(file.type);
}

/** A human size: « 2,4 Mo » in French, "2.4 MB" in English. */
export function formatBytes(bytes: number, locale: string): string {
  const fr = locale.startsWith('fr');
  const units = fr ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A short type for a file card: the extension (« PDF », « DOCX »), else the media subtype. */
export function fileTypeLabel(file: Pick<FileRef, 'name' | 'type'>): string {
  const ext = /\.([0-9a-z]{1,6})$/i.exec(file.name)?.[1];
  if (ext) return ext.toUpperCase();
  const sub = /^[a-z]+\/(?:x-|vnd\.)?([0-9a-z.+-]{1,20})/i.exec(file.type)?.[1];
  return sub ? sub.toUpperCase() : '?';
}
