import type { FileRef } from '@palabre/shared/discussion/file-ref';
import type { DisplayMessage } from '$lib/state/thread.svelte.js';

/** What a message's buttons ask the thread to do; the list hands them on to each message. */
export interface MessageActions {
  onedit?: (message: DisplayMessage) => void;
  ondelete?: (message: DisplayMessage) => void;
  onpin?: (message: DisplayMessage, pinned: boolean) => void;
  /** An image of the message to show full size. */
  onview?: (file: FileRef) => void;
}
