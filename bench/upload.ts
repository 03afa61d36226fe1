/**
 * `pnpm bench --only=upload`: one 25 MB file uploaded to Palabre's real server
 * (`POST /api/discussions/:id/files`, multipart, streamed by the client from disk over loopback),
 * against a plain stream copy of the same bytes from one file to another on the same disk.
 *
 * Memory, two ways. RSS: the server child's VmRSS (Linux /proc/<pid>/status) sampled every 5 ms
 * during each timed upload, minus its RSS just before: what the process takes from the machine,
 * garbage not yet collected included. Held: one more upload during which the child runs two full
 * collections and reports heap + external memory again and again (its `memory` command), the
 * peak minus the value before: what the server really holds while the bytes go through, the
 * number that says "streamed, never whole". Goal: under 5 MB. Each round uploads new random
 * bytes (no deduplication shortcut).
 */
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_MAX_FILE_BYTES } from '@palabre/shared';
import type { ServerChild } from './children.js';
import { createDiscussion, loginAll } from './clients.js';
import { log } from './log.js';
import { machineBusyMicros } from './machine.js';
import { median } from './stats.js';

export interface UploadResult {
  bytes: number;
  rounds: number;
  /** Per round: upload time (request start to the 201), ms. */
  uploadMs: number[];
  /** Per round: peak RSS during the upload minus RSS before it, bytes. */
  rssGrowth: number[];
  /** Per round: heap + external + array buffers after the upload and two collections, minus before. */
  retained: number[];
  /** Per round: the same bytes copied file to file on the same disk, ms. */
  copyMs: number[];
  /** Peak of heap + external memory during an upload, sampled after full collections, minus before. */
  heldPeak: number[];
  /** Cores the whole machine was busy on average during the run (null off Linux). */
  machineBusyCores: number | null;
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** POST the file as multipart/form-data, streamed from disk; resolves with the status and ms. */
function upload(
  url: string,
  token: string,
  path: string,
  size: number,
): Promise<{ status: number; ms: number }> {
  const boundary = `----palabre-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path);
    file.on('error', reject);
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

export async function runUpload(
  start: () => Promise<ServerChild>,
  workDir: string,
  rounds: number,
): Promise<UploadResult> {
  const size = DEFAULT_MAX_FILE_BYTES; // 25 MB, the default limit: accepted
  mkdirSync(workDir, { recursive: true });
  const source = join(workDir, 'source.bin');
  const child = await start();
  const out: UploadResult = {
    bytes: size,
    rounds,
    uploadMs: [],
    rssGrowth: [],
    retained: [],
    copyMs: [],
    heldPeak: [],
    machineBusyCores: null,
  };
  const busyAtStart = machineBusyMicros();
  const wallAtStart = performance.now();
  try {
    const pid = child.pid!;
    const http = `http://127.0.0.1:${child.port}`;
    const usernames = ['upload0', 'upload1'];
    await child.request('createUsers', { usernames, password: 'bench-password' });
    const [alice, bob] = (await loginAll(http, usernames, 'bench-password')) as {
      userId: string;
      token: string;
    }[];
    const discussion = await createDiscussion(http, alice, [bob], 'Upload');
    const url = `${http}/api/discussions/${discussion}/files`;
    // Warm-up: the route, busboy and the store's code paths loaded once.
    writeFileSync(source, randomBytes(1024 * 1024));
    await upload(url, alice.token, source, statSync(source).size);

    for (let round = 1; round <= rounds; round++) {
      writeFileSync(source, randomBytes(size));
      const held = (m: { heapUsed: number; external: number; arrayBuffers: number }) =>
        m.heapUsed + m.external + m.arrayBuffers;
      const before = await child.request('memory', {});
      const rssBefore = rssOf(pid);
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 5);
      const { status, ms } = await upload(url, alice.token, source, size);
      clearInterval(sampler);
      peak = Math.max(peak, rssOf(pid));
      if (status !== 201) throw new Error(`upload answered ${status}`);
      const after = await child.request('memory', {});
      out.uploadMs.push(ms);
      out.rssGrowth.push(peak - rssBefore);
      out.retained.push(held(after) - held(before));

      const copy = join(workDir, `copy-${round}.bin`);
      const copyStarted = performance.now();
      await pipeline(createReadStream(source), createWriteStream(copy));
      out.copyMs.push(performance.now() - copyStarted);
      rmSync(copy);
      log(
        `  round ${round}: upload ${ms.toFixed(0)} ms, RSS growth ${(out.rssGrowth.at(-1)! / 2 ** 20).toFixed(1)} MiB, ` +
          `plain copy ${out.copyMs.at(-1)!.toFixed(0)} ms`,
      );
    }
    // What the server holds while the bytes go through: full collections all along one more upload.
    for (let pass = 0; pass < 2; pass++) {
      writeFileSync(source, randomBytes(size));
      const live = (m: { heapUsed: number; external: number }) => m.heapUsed + m.external;
      const base = live(await child.request('memory', {}));
      let peak = 0;
      let done = false;
      const sent = upload(url, alice.token, source, size).finally(() => (done = true));
      while (!done) peak = Math.max(peak, live(await child.request('memory', {})) - base);
      if ((await sent).status !== 201) throw new Error('upload refused');
      out.heldPeak.push(peak);
      log(`  held during an upload (full collections all along): peak ${(peak / 2 ** 20).toFixed(1)} MiB`);
    }
  } finally {
    await child.stop();
    rmSync(source, { force: true });
  }
  const busyAtEnd = machineBusyMicros();
  if (busyAtStart !== null && busyAtEnd !== null)
    out.machineBusyCores = (busyAtEnd - busyAtStart) / 1000 / (performance.now() - wallAtStart);
  return out;
}

export function uploadSection(
  r: UploadResult | null | undefined,
  machine: { cpu: string; cores: number },
  otherLoadAtStart: number | null,
): string {
  if (!r) return '';
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const f0 = (v: number) => v.toFixed(0);
  const range = (values: number[], fmt: (v: number) => string) =>
    `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
  const held = Math.max(...r.heldPeak);
  const later = r.rssGrowth.slice(1);
  return [
    '## Upload of a 25 MB file',
    '',
    `\`pnpm bench --only=upload\` on ${machine.cpu} (${machine.cores} cores): ${r.rounds} timed uploads of ` +
      `${mb(r.bytes)} MiB of new random bytes each (\`POST /api/discussions/:id/files\`, multipart/form-data ` +
      "streamed by a Node client from disk over loopback) to Palabre's real server in its own process " +
      '(filesystem BlobStore under a temporary DATA_DIR, after a 1 MiB warm-up upload), each followed by a ' +
      'stream copy of the same bytes file to file on the same disk; then uploads during which the server ' +
      'runs full collections again and again and reports the memory it holds.' +
      (otherLoadAtStart === null
        ? ''
        : ` Other processes used ${otherLoadAtStart.toFixed(2)} cores when it started`) +
      (r.machineBusyCores === null
        ? '.'
        : `; the whole machine was busy ${r.machineBusyCores.toFixed(2)} cores on average during it, so the ` +
          'times are upper bounds.'),
    '',
    `- **Memory the server holds during an upload (goal under 5 MB, streamed): ${
      held < 5 * 2 ** 20 ? 'met' : 'not met'
    }.** Peak heap + external growth ${r.heldPeak.map(mb).join(' and ')} MiB for a ${mb(r.bytes)} MiB file ` +
      '(sampled after full collections all along the upload): the file is never held whole, chunks go ' +
      `to disk as they arrive. Still held after the timed uploads: median ${(median(r.retained) / 1024).toFixed(0)} KiB.`,
    `- **RSS:** the first ${mb(r.bytes)} MiB upload of a fresh process raised its RSS by ${mb(r.rssGrowth[0])} MiB ` +
      "(garbage chunks not yet collected and the allocator's growth, which the process keeps and reuses), " +
      `the next ones by ${later.length ? range(later, mb) : '–'} MiB. In RSS terms the first upload is over 5 MB.`,
    `- **Time:** upload median ${range(r.uploadMs, f0)} ms (${(r.bytes / 2 ** 20 / (median(r.uploadMs) / 1000)).toFixed(0)} MiB/s, ` +
      'HTTP over loopback, multipart parsing, SHA-256 and the write to a temporary file included), against a ' +
      `plain copy of the same bytes median ${range(r.copyMs, f0)} ms: the upload takes ` +
      `${(median(r.uploadMs) / median(r.copyMs)).toFixed(1)}× the copy.`,
  ].join('\n');
}
