import { describe, expect, it } from 'vitest';
import { CloseCode } from '@palabre/shared';
import { createMemoryDocStore } from '../storage/memory-doc-store.js';
import { DocManager, type Peer } from './doc-manager.js';

function peer(userId: string): Peer & { closedWith: number | null } {
  return {
    userId,
    closedWith: null,
    send() {},
    close(code) {
      this.closedWith = code;
    },
  };
}

describe('DocManager', () => {
  it('closes a connection that joins a document dropped since it was opened, instead of attaching it to the dropped copy', async () => {
    const docs = new DocManager(createMemoryDocStore());
    const first = await docs.open('d1');
    // Authorised and opened before the drop, upgraded after it (the upgrade awaits in between).
    const late = await docs.open('d1');
    const alice = peer('alice');
    first.join(alice);
    first.fail(); // an update broke the document: dropped, everyone reconnects
    expect(alice.closedWith).toBe(CloseCode.StorageFailed);

    const bob = peer('bob');
    late.join(bob);
    expect(bob.closedWith).toBe(CloseCode.StorageFailed);
    const again = await docs.open('d1');
    expect(again.doc).not.toBe(first.doc);
  });
});
