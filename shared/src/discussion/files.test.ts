import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fileTypeLabel, formatBytes, hasPreview } from './file-ref.js';
import { filesOf, listFiles, messagePreview } from './files.js';
import { addMessage } from './messages.js';
import { messagesMap } from './schema.js';

const pdf = { id: 'pdfpdfpdfpdfpdfpdfpd', name: 'devis.pdf', type: 'application/pdf', size: 52_000 };
const photo = { id: 'photophotophotophoto', name: 'chantier.jpg', type: 'image/jpeg', size: 2_400_000 };

describe('files of a discussion', () => {
  it('lists every attached file, newest message first, with its message and author', () => {
    const doc = new Y.Doc();
    addMessage(doc, { author: 'alice', text: 'le devis', files: [pdf], now: 1000 });
    addMessage(doc, { author: 'bob', text: 'sans pièce jointe', now: 2000 });
    const m = addMessage(doc, { author: 'bob', text: '', files: [photo], now: 3000 });
    expect(listFiles(doc).map((f) => [f.name, f.author, f.messageId === m.id])).toEqual([
      ['chantier.jpg', 'bob', true],
      ['devis.pdf', 'alice', false],
    ]);
    messagesMap(doc).delete(m.id);
    expect(listFiles(doc).map((f) => f.name)).toEqual(['devis.pdf']);
  });

  it('reads no files from a message whose files field is malformed', () => {
    expect(filesOf({ files: [{ id: 'x' }] })).toEqual([]);
    expect(filesOf(null)).toEqual([]);
    expect(filesOf({ files: [pdf] })).toEqual([pdf]);
  });

  it('previews raster images only, never SVG', () => {
    expect(hasPreview(photo)).toBe(true);
    expect(hasPreview({ type: 'image/svg+xml' })).toBe(false);
    expect(hasPreview(pdf)).toBe(false);
  });

  it('formats sizes for people', () => {
    expect(formatBytes(512, 'fr')).toBe('512 o');
    expect(formatBytes(2_400_000, 'fr')).toBe('2,3 Mo');
    expect(formatBytes(25 * 1024 * 1024, 'en')).toBe('25 MB');
  });

  it('names the type of a file by its extension, else its media type', () => {
    expect(fileTypeLabel(pdf)).toBe('PDF');
    expect(fileTypeLabel({ name: 'rapport final.docx', type: 'application/octet-stream' })).toBe('DOCX');
    expect(fileTypeLabel({ name: 'notes', type: 'text/plain' })).toBe('PLAIN');
    expect(fileTypeLabel({ name: 'archive', type: 'application/x-tar' })).toBe('TAR');
    expect(fileTypeLabel({ name: 'x', type: '' })).toBe('?');
  });

  it('formats sizes at the unit boundaries', () => {
    expect(formatBytes(0, 'fr')).toBe('0 o');
    expect(formatBytes(1023, 'en')).toBe('1,023 B');
    expect(formatBytes(1024, 'fr')).toBe('1 Ko');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 * 1024 + 1, 'fr')).toBe('10 Mo');
    expect(formatBytes(3 * 1024 ** 4, 'en')).toBe('3,072 GB');
  });

  it('previews a message without text by its files', () => {
    expect(messagePreview({ text: '  le   devis ', files: [pdf] })).toBe('le devis');
    expect(messagePreview({ text: '', files: [photo] })).toBe('📎 chantier.jpg');
    expect(messagePreview({ text: '', files: [photo, pdf] })).toBe('📎 chantier.jpg +1');
    expect(messagePreview({ text: '' })).toBe('');
  });
});
