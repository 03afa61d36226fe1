/**
 * Deleted means gone: once a message is deleted (or edited), its old text leaves the server's
 * SQLite files, main database and WAL included, read raw, byte for byte.
 */
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, deleteMessage, editMessage, listMessages, listPins, pin } from '@palabre/shared';
import { until, waitForSync } from './helpers.js';
import { useTestServer } from './server-fixture.js';

/** Which files of the data directory (and its folders, the file store's included) hold these bytes (UTF-8), read raw. */
function filesHolding(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => {
    const path = join(dir, name);
    return statSync(path).isFile() && readFileSync(path).includes(needle);
  });
}

describe('deleted messages leave the server’s files', () => {
  const server = useTestServer({}, { autoStart: false });

  it('removes a deleted message’s text and an edited message’s old text from the SQLite files, WAL included', async () => {
    // Compacting every four stored writes also checkpoints the WAL: the texts reach the main file
    // first. Each update is awaited, so each is a write of its own (a burst is one group commit).
    await server.start({ unloadAfterMs: 60_000, compactEvery: 4 });
    const [alice, bob] = await server.createUsers('Alice', 'Bob');
    const d = await server.createDiscussion(alice, [bob], 'Coffre');
    const a = server.client(d.id, alice.token);
    const b = server.client(d.id, bob.token);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);

    const tag = Math.random().toString(36).slice(2, 10);
    const kept = `reste-visible-${tag}`;
    const before = `ancien-texte-${tag}`;
    const secret = `code-du-coffre-${tag}`;
    const relayed = (n: number) => until(() => listMessages(b.doc).length === n, 5000, 'relay');
    addMessage(a.doc, { author: alice.user.id, text: kept, now: Date.now() });
    await relayed(1);
    const edited = addMessage(a.doc, { author: alice.user.id, text: before, now: Date.now() });
    await relayed(2);
    // The last message: it is also the sidebar preview stored in the discussions table.
    const doomed = addMessage(a.doc, { author: alice.user.id, text: secret, now: Date.now() });
    await relayed(3);
    pin(a.doc, doomed.id, alice.user.id, Date.now());
    await until(() => listPins(b.doc).length === 1, 5000, 'pin relayed');
    // The texts are on disk, so reading the files raw does find them.
    await until(() => filesHolding(server.dataDir, secret).length > 0, 5000, 'secret stored');
    await until(() => filesHolding(server.dataDir, before).length > 0, 5000, 'old text stored');
    await until(
      () => filesHolding(server.dataDir, secret).includes('palabre.sqlite'),
      5000,
      'secret in the main database file',
    );

    editMessage(a.doc, {
      id: edited.id,
      author: alice.user.id,
      text: `nouveau-texte-${tag}`,
      now: Date.now(),
    });
    deleteMessage(a.doc, { id: doomed.id, by: alice.user.id, now: Date.now() });

    await until(
      () =>
        filesHolding(server.dataDir, secret).length === 0 &&
        filesHolding(server.dataDir, before).length === 0,
      10_000,
      'text purged from every file',
    );
    expect(readdirSync(server.dataDir).some((name) => name.endsWith('-wal'))).toBe(true);
    expect(filesHolding(server.dataDir, kept).length).toBeGreaterThan(0);
    // The document still serves the rest, and the sidebar shows the previous message.
    const c = server.client(d.id, alice.token);
    await waitForSync(c.provider);
    expect(listMessages(c.doc).map((m) => m.text)).toEqual([kept, `nouveau-texte-${tag}`, '']);
    // The sidebar's stored preview follows within its 150 ms coalescing window.
    const previewOf = async () => (await server.storage.directory.discussionById(d.id))?.lastMessage?.preview;
    await until(async () => (await previewOf()) === `nouveau-texte-${tag}`, 1000, 'the sidebar preview');
    expect(await previewOf()).toBe(`nouveau-texte-${tag}`);
  });
});
