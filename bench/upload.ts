/**
 * `pnpm bench --only=upload`: one 25 MB file uploaded to Palabre's real server
 * (`POST /api/discussions/:id/files`, multipart, streamed by the client from disk over loopback),
 * against a plain stream copy of the same bytes from one file to another on the same disk.
 *
 * Memory: the server child's RSS (Linux /proc/<pid>/status, VmRSS) sampled every 5 ms during the
 * upload, minus its RSS just before (after two full collections): the growth an upload costs.
 * Goal: under 5 MB, i.e. streamed, never held whole. Each round uploads new random bytes (no
 * deduplication shortcut).
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
  } finally {
    await child.stop();
    rmSync(source, { force: true });
  }
  const busyAtEnd = machineBusyMicros();
  if (busyAtStart !== null && busyAtEnd !== null)
    out.machineBusyCores = (busyAtEnd - busyAtStart) / 1000 / (performance.now() - wallAtStart);
  return out;
}

export function uploadSection(r: UploadResult | null | undefined): string {
  if (!r) return '';
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const f0 = (v: number) => v.toFixed(0);
  const range = (values: number[], fmt: (v: number) => string) =>
    `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
  const growth = median(r.rssGrowth);
  const met = growth < 5 * 1024 * 1024;
  return [
    '## Upload of a 25 MB file',
    '',
    `\`pnpm bench --only=upload\`: ${r.rounds} uploads of ${mb(r.bytes)} of new random bytes each ` +
      '(`POST /api/discussions/:id/files`, multipart/form-data streamed by a Node client from disk over ' +
      "loopback, one file per request, authenticated with a session token) to Palabre's real server in its " +
      'own process, filesystem BlobStore under a temporary DATA_DIR; then the same bytes copied file to file ' +
      'on the same disk with a stream pipeline (what the upload does at least: read, write). RSS growth is the ' +
      "server's peak VmRSS during the upload (sampled every 5 ms) minus its RSS just before, after two full " +
      'collections.' +
      (r.machineBusyCores === null
        ? ''
        : ` The machine (2 cores, shared with other work) was busy ${r.machineBusyCores.toFixed(2)} cores on ` +
          'average during the run, this benchmark included.'),
    '',
    `- **Server memory growth (goal under 5 MB, streamed): ${met ? 'met' : 'not met'}.** Median ${range(
      r.rssGrowth,
      (v) => (v / 2 ** 20).toFixed(1),
    )} MiB of RSS for a ${mb(r.bytes)} file; heap, external and array buffers still held after the upload and ` +
      `two collections: median ${(median(r.retained) / 1024).toFixed(0)} KiB.`,
    `- **Time:** upload median ${range(r.uploadMs, f0)} ms (${(r.bytes / 2 ** 20 / (median(r.uploadMs) / 1000)).toFixed(0)} MiB/s, ` +
      'SHA-256 and the write to a temporary file included), against a plain copy of the same bytes ' +
      `median ${range(r.copyMs, f0)} ms: the upload costs ${(median(r.uploadMs) / median(r.copyMs)).toFixed(1)}× the copy.`,
  ].join('\n');
}
