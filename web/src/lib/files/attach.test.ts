import { describe, expect, it } from 'vitest';
import { MAX_FILES_PER_MESSAGE } from '@palabre/shared/discussion/file-ref';
import { attachFiles, namePasted } from './attach.js';

const file = (name: string, size: number, type = 'text/plain') =>
  new File([new Uint8Array(size)], name, { type });

describe('attaching files to the next message', () => {
  it('adds the new files after the ones already attached', () => {
    const first = file('devis.pdf', 10);
    const { files, problem } = attachFiles([first], [file('plan.png', 20)], 100);
    expect(files.map((f) => f.name)).toEqual(['devis.pdf', 'plan.png']);
    expect(problem).toBeNull();
  });

  it('leaves out a file over the size limit, keeps the others, and says which', () => {
    const { files, problem } = attachFiles([], [file('ok.txt', 100), file('video.mp4', 101)], 100);
    expect(files.map((f) => f.name)).toEqual(['ok.txt']);
    expect(problem).toEqual({ kind: 'too_large', name: 'video.mp4' });
  });

  it('attaches none of the new ones past the most files a message holds', () => {
    const current = Array.from({ length: MAX_FILES_PER_MESSAGE }, (_, i) => file(`f${i}.txt`, 1));
    const { files, problem } = attachFiles(current, [file('one-more.txt', 1)], 100);
    expect(files).toEqual(current);
    expect(problem).toEqual({ kind: 'too_many' });
  });

  it('names a pasted screenshot by its type, and keeps the names files have', () => {
    const pasted = namePasted([file('', 5, 'image/jpeg'), file('notes.txt', 5)]);
    expect(pasted.map((f) => f.name)).toEqual(['image-1.jpeg', 'notes.txt']);
    expect(pasted[0].type).toBe('image/jpeg');
  });
});
