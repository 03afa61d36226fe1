/**
 * Files through the real server: upload (multipart, streamed), download and preview with their
 * headers, permissions, the size limit, traversal ids, the `foreign_file` rule with a
 * hand-crafted client, and the removal of a file's bytes once no message refers to it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, addMessage, listMessages, messagesMap, type FileRef } from '@palabre/shared';
import { connectAttacker } from './attacker.js';
import { until, waitForSync, type TestServer, type TestUser } from './helpers.js';
import { useTestServer } from './server-fixture.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function upload(
  server: TestServer,
  discussionId: string,
  who: TestUser | null,
  bytes: Uint8Array,
  name: string,
  type: string,
  field = 'file',
) {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${server.url}/api/discussions/${discussionId}/files`, {
    method: 'POST',
    headers: who ? { authorization: `Bearer ${who.token}` } : {},
    body: form,
  });
  return { status: res.status, body: (await res.json()) as FileRef & { error?: { code: string } } };
}

function download(server: TestServer, path: string, who: TestUser) {
  return fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${who.token}` } });
}

/** Every stored blob's hash, straight from the filesystem. */
function storedHashes(server: TestServer): string[] {
  const root = join(server.dataDir, 'files');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => d !== 'tmp')
    .flatMap((d) => readdirSync(join(root, d)));
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#2f6fb0' } })
    .png()
    .toBuffer();

describe('files', () => {
  const server = useTestServer({ maxFileBytes: 200_000 });
  let alice: TestUser, bob: TestUser, eve: TestUser;

  beforeEach(async () => {
    [alice, bob, eve] = await server.createUsers('Alice', 'Bob', 'Eve');
  });

  function client(discussionId: string, who: TestUser) {
    const c = server.client(discussionId, who.token);
    return c;
  }

  it('stores an upload and gives the same bytes back to members only, with its type and name', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    const bytes = randomBytes(150_000);
    const { status, body } = await upload(server, d.id, alice, bytes, 'rapport final.pdf', 'application/pdf');
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      name: 'rapport final.pdf',
      type: 'application/pdf',
      size: 150_000,
    });

    const res = await download(server, `/api/files/${body.id}`, bob);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''rapport%20final.pdf`);
    expect(storedHashes(server)).toEqual([sha256(bytes)]);

    // Eve is not a member: the file does not exist for her (403 would tell her it does).
    expect((await download(server, `/api/files/${body.id}`, eve)).status).toBe(404);
    expect((await download(server, `/api/files/${body.id}/preview`, eve)).status).toBe(404);
    expect((await fetch(`${server.url}/api/files/${body.id}`)).status).toBe(401);
    // Nor can she upload to the discussion.
    const refused = await upload(server, d.id, eve, bytes, 'x.bin', 'application/octet-stream');
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('not_member');
    expect((await upload(server, d.id, null, bytes, 'x.bin', 'text/plain')).status).toBe(401);
  });

  it('refuses readers, a missing field and a non-multipart body', async () => {
    const g = await server.createDiscussion(alice, [bob, eve], 'Équipe');
    const demoted = await server.api(`/api/discussions/${g.id}/members/${bob.user.id}`, alice.token, {
      method: 'PATCH',
      body: { role: 'reader' },
    });
    expect(demoted.status).toBe(200);
    const asReader = await upload(server, g.id, bob, Buffer.from('hi'), 'a.txt', 'text/plain');
    expect(asReader.status).toBe(403);
    expect(asReader.body.error?.code).toBe('forbidden');
    const wrongField = await upload(server, g.id, alice, Buffer.from('hi'), 'a.txt', 'text/plain', 'fichier');
    expect(wrongField.status).toBe(400);
    const json = await server.api(`/api/discussions/${g.id}/files`, alice.token, {
      body: { file: 'x' },
    });
    expect(json.status).toBe(400);
    expect(storedHashes(server)).toEqual([]);
  });

  it('refuses a file over MAX_FILE_BYTES with 413 file_too_large and stores nothing of it', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    // Announced too large: refused before the body is read.
    const big = randomBytes(300_000);
    const early = await upload(server, d.id, alice, big, 'gros.bin', 'application/octet-stream');
    expect(early.status).toBe(413);
    expect(early.body.error?.code).toBe('file_too_large');
    // One byte over, within the multipart slack: refused while streaming.
    const over = randomBytes(200_001);
    const late = await upload(server, d.id, alice, over, 'juste trop.bin', 'application/octet-stream');
    expect(late.status).toBe(413);
    expect(late.body.error?.code).toBe('file_too_large');
    expect(storedHashes(server)).toEqual([]);
    expect(readdirSync(join(server.dataDir, 'files', 'tmp'))).toEqual([]);
    expect(await server.storage.files.ofDiscussion(d.id)).toEqual([]);
    // Exactly the limit is fine.
    const exact = await upload(
      server,
      d.id,
      alice,
      over.subarray(0, 200_000),
      'pile.bin',
      'application/octet-stream',
    );
    expect(exact.status).toBe(201);
  });

  it('answers 404 to traversal and malformed file ids', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    await upload(server, d.id, alice, Buffer.from('secret'), 's.txt', 'text/plain');
    for (const path of [
      '/api/files/..%2F..%2Fpalabre.sqlite',
      '/api/files/%2e%2e',
      '/api/files/..%2Fpalabre.sqlite/preview',
      `/api/files/${'a'.repeat(64)}`,
      '/api/files/ABC',
    ]) {
      const res = await download(server, path, alice);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('SQLite');
    }
  });

  it('never serves uploaded HTML or SVG inline, and keeps markup in names as text', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    const html = await upload(
      server,
      d.id,
      alice,
      Buffer.from('<script>alert(1)</script>'),
      '<img src=x onerror=alert(1)>.html',
      'text/html',
    );
    expect(html.status).toBe(201);
    expect(html.body.name).toBe('<img src=x onerror=alert(1)>.html');
    const res = await download(server, `/api/files/${html.body.id}`, bob);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="<img src=x onerror=alert\(1\)>\.html"/,
    );
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const svg = await upload(
      server,
      d.id,
      alice,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      'logo.svg',
      'image/svg+xml',
    );
    const svgRes = await download(server, `/api/files/${svg.body.id}`, bob);
    expect(svgRes.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect((await download(server, `/api/files/${svg.body.id}/preview`, bob)).status).toBe(404);

    // A type that is not a media type is stored as octet-stream.
    const odd = await upload(server, d.id, alice, Buffer.from('x'), 'x', 'not a type');
    expect(odd.body.type).toBe('application/octet-stream');
  });

  it('makes a reduced preview of an image, and serves the full image inline', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    const image = await png(1600, 1200);
    const { status, body } = await upload(server, d.id, alice, image, 'photo.png', 'image/png');
    expect(status).toBe(201);
    const full = await download(server, `/api/files/${body.id}`, bob);
    expect(full.headers.get('content-type')).toBe('image/png');
    expect(full.headers.get('content-disposition')).toMatch(/^inline;/);
    const preview = await download(server, `/api/files/${body.id}/preview`, bob);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    expect(preview.headers.get('x-content-type-options')).toBe('nosniff');
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(640);
    expect(meta.width! / meta.height!).toBeCloseTo(4 / 3, 1);
    // A non-image claiming to be one gets no preview and is still a file.
    const fake = await upload(server, d.id, alice, Buffer.from('pas une image'), 'faux.png', 'image/png');
    expect(fake.status).toBe(201);
    expect((await download(server, `/api/files/${fake.body.id}/preview`, bob)).status).toBe(404);
  });

  it('refuses, with foreign_file, a message referring to a file of another discussion, an unknown one, or with other metadata', async () => {
    const mine = await server.createDiscussion(alice, [bob]);
    const theirs = await server.createDiscussion(eve, [alice]);
    const here = (await upload(server, mine.id, alice, Buffer.from('ici'), 'ici.txt', 'text/plain')).body;
    const elsewhere = (
      await upload(server, theirs.id, alice, Buffer.from('ailleurs'), 'ailleurs.txt', 'text/plain')
    ).body;
    const witness = client(mine.id, bob);
    await waitForSync(witness.provider);

    const forged: [string, FileRef][] = [
      ['another discussion', elsewhere],
      ['an unknown file', { ...here, id: 'zzzzzzzzzzzzzzzzzzzz' }],
      ['other metadata', { ...here, type: 'image/png' }],
    ];
    for (const [, file] of forged) {
      const a = await connectAttacker(server.url, mine.id, alice.token);
      a.change((doc) => addMessage(doc, { author: alice.user.id, text: '', files: [file], now: Date.now() }));
      expect(await a.closed).toBe(CloseCode.UpdateRejected);
      expect(a.denied()).toMatch(/^foreign_file/);
    }
    // The honest reference goes through, and reaches Bob.
    const a = await connectAttacker(server.url, mine.id, alice.token);
    a.change((doc) =>
      addMessage(doc, { author: alice.user.id, text: 'voici', files: [here], now: Date.now() }),
    );
    await until(() => listMessages(witness.doc).length === 1, 5000, 'the honest message');
    expect(listMessages(witness.doc)[0].files).toEqual([here]);
  });

  it('removes a file, and its bytes once no message in any discussion refers to them, when messages are deleted', async () => {
    const one = await server.createDiscussion(alice, [bob]);
    const two = await server.createDiscussion(alice, [eve]);
    const bytes = randomBytes(50_000);
    const inOne = (await upload(server, one.id, alice, bytes, 'plan.bin', 'application/octet-stream')).body;
    const inTwo = (await upload(server, two.id, alice, bytes, 'plan.bin', 'application/octet-stream')).body;
    expect(storedHashes(server)).toEqual([sha256(bytes)]); // stored once

    const a1 = client(one.id, alice);
    const a2 = client(two.id, alice);
    const b1 = client(one.id, bob);
    await Promise.all([waitForSync(a1.provider), waitForSync(a2.provider), waitForSync(b1.provider)]);
    const first = addMessage(a1.doc, {
      author: alice.user.id,
      text: 'le plan',
      files: [inOne],
      now: Date.now(),
    });
    const again = addMessage(a1.doc, {
      author: alice.user.id,
      text: 'encore',
      files: [inOne],
      now: Date.now(),
    });
    const other = addMessage(a2.doc, {
      author: alice.user.id,
      text: 'le même',
      files: [inTwo],
      now: Date.now(),
    });
    await until(() => listMessages(b1.doc).length === 2, 5000, 'messages to reach Bob');

    // Deleting one of two messages that share the file keeps it.
    a1.doc.transact(() => messagesMap(a1.doc).delete(first.id));
    await until(() => listMessages(b1.doc).length === 1, 5000, 'the deletion to reach Bob');
    expect((await download(server, `/api/files/${inOne.id}`, bob)).status).toBe(200);

    // The last reference in discussion one goes: its file goes, the bytes stay for discussion two.
    a1.doc.transact(() => messagesMap(a1.doc).delete(again.id));
    await until(() => listMessages(b1.doc).length === 0, 5000, 'the second deletion');
    await eventually(
      async () => (await download(server, `/api/files/${inOne.id}`, bob)).status === 404,
      'file removed',
    );
    expect(storedHashes(server)).toEqual([sha256(bytes)]);
    expect((await download(server, `/api/files/${inTwo.id}`, eve)).status).toBe(200);

    // Referring to the removed file again is refused.
    const late = await connectAttacker(server.url, one.id, alice.token);
    late.change((doc) =>
      addMessage(doc, { author: alice.user.id, text: 'revenu', files: [inOne], now: Date.now() }),
    );
    expect(await late.closed).toBe(CloseCode.UpdateRejected);

    // The last message anywhere goes: the bytes go, even after the documents are compacted and reloaded.
    a2.doc.transact(() => messagesMap(a2.doc).delete(other.id));
    await until(() => storedHashes(server).length === 0, 5000, 'the bytes to be removed');
    await server.runDeferred();
    await until(() => !server.docs.isLoaded(one.id) && !server.docs.isLoaded(two.id), 5000, 'unload');
    expect(await server.blobs.has(sha256(bytes))).toBe(false);
    expect(await server.storage.files.ofDiscussion(one.id)).toEqual([]);
    expect(await server.storage.files.ofDiscussion(two.id)).toEqual([]);
    const fresh = client(one.id, bob);
    await waitForSync(fresh.provider);
    expect(listMessages(fresh.doc)).toEqual([]);
  });

  it('keeps a file whose message is edited with it, and releases it when an edit drops it', async () => {
    const d = await server.createDiscussion(alice, [bob]);
    const file = (await upload(server, d.id, alice, Buffer.from('v1'), 'v1.txt', 'text/plain')).body;
    const a = client(d.id, alice);
    const b = client(d.id, bob);
    await Promise.all([waitForSync(a.provider), waitForSync(b.provider)]);
    const m = addMessage(a.doc, {
      author: alice.user.id,
      text: 'pièce jointe',
      files: [file],
      now: Date.now(),
    });
    messagesMap(a.doc).set(m.id, { ...m, text: 'pièce jointe (corrigé)' });
    await until(() => listMessages(b.doc)[0]?.text === 'pièce jointe (corrigé)', 5000, 'the edit');
    expect((await download(server, `/api/files/${file.id}`, bob)).status).toBe(200);
    messagesMap(a.doc).set(m.id, { id: m.id, author: m.author, ts: m.ts, text: 'sans fichier' });
    await until(() => storedHashes(server).length === 0, 5000, 'the dropped file to be removed');
    expect((await download(server, `/api/files/${file.id}`, bob)).status).toBe(404);
  });
});
