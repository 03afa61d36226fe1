import * as Y from 'yjs';
import { addMessage } from '@palabre/shared/discussion/index';

/**
 * For tests: my message written on another device (the phone), relayed by the server to this one
 * (the laptop). Returns the laptop's document and the update it received.
 */
export function relayedFromMyPhone(me: string, text: string): { laptop: Y.Doc; update: Uint8Array } {
  const phone = new Y.Doc();
  addMessage(phone, { author: me, text, now: 1_000 });
  const laptop = new Y.Doc();
  const update = Y.encodeStateAsUpdate(phone);
  Y.applyUpdate(laptop, update);
  return { laptop, update };
}
