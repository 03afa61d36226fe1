/**
 * Choosing the files of the next message (the composer's button, a drop, a paste), before any
 * byte is sent: more than MAX_FILES_PER_MESSAGE attaches none of the new ones; a file over the
 * size limit is left out, the others kept. Pasted files without a name get one.
 */
import { attachProblem } from '@palabre/shared/sync/file-outbox';

export type AttachProblem = NonNullable<ReturnType<typeof attachProblem>>;

export function attachFiles(
  current: readonly File[],
  added: readonly File[],
  maxBytes: number,
): { files: File[]; problem: AttachProblem | null } {
  const all = [...current, ...added];
  const problem = attachProblem(all, maxBytes);
  if (problem?.kind === 'too_many') return { files: [...current], problem };
  if (problem?.kind === 'too_large') return { files: all.filter((f) => f.size <= maxBytes), problem };
  return { files: all, problem: null };
}

/** A pasted screenshot has no name: « image-1.png », by its type. */
export function namePasted(files: readonly File[]): File[] {
  return files.map((f, i) =>
    f.name ? f : new File([f], `image-${i + 1}.${f.type.split('/')[1] ?? 'png'}`, { type: f.type }),
  );
}
