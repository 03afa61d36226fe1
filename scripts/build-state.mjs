// Is this checkout installed and built? Answered without spawning anything: each output carries a
// stamp holding the hash of what it was made from (file contents, not dates, so a fresh clone or a
// `git checkout` that changes nothing does not rebuild). Shared by start.mjs, build.mjs and tests.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const STAMP = '.palabre-stamp.json';

const SKIP_DIRS = new Set(['node_modules', 'build', 'dist', '.svelte-kit', 'test-results']);

/** Every file under each path (a file or a folder), tests and build outputs left out. */
function files(path) {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  const out = [];
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    const rel = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.build-')) out.push(...files(rel));
    } else if (entry.isFile() && !/\.(test|spec)\.ts$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** sha256 of the paths and contents of every input file, plus extra strings (versions). */
export function hashInputs(inputs, extra = []) {
  const hash = createHash('sha256');
  for (const x of extra) hash.update(`${x}\0`);
  for (const file of inputs.flatMap(files).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const SHARED = ['shared/src', 'shared/package.json', 'pnpm-lock.yaml', 'scripts/build.mjs'];

/** What each build output is made from. */
export const TARGETS = {
  web: { out: 'web/build', inputs: ['web', ...SHARED] },
  server: { out: 'sync-server/dist', inputs: ['sync-server/src', 'sync-server/package.json', ...SHARED] },
};

/** The dependencies: the lockfile, every package.json, and Node's ABI (better-sqlite3 is native). */
export const INSTALL = {
  stamp: 'node_modules/.palabre-installed.json',
  inputs: [
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    'package.json',
    ...['shared', 'sync-server', 'web', 'tests', 'bench'].map((p) => `${p}/package.json`),
  ],
  extra: () => [process.versions.modules, process.platform, process.arch],
};

export function readStamp(file) {
  try {
    return JSON.parse(readFileSync(join(ROOT, file), 'utf8')).hash ?? null;
  } catch {
    return null;
  }
}

export function installHash() {
  return hashInputs(INSTALL.inputs, INSTALL.extra());
}

export function isInstalled() {
  return readStamp(INSTALL.stamp) === installHash();
}

export function targetHash(name) {
  return hashInputs(TARGETS[name].inputs);
}

/** The targets whose output is missing or was built from other sources. */
export function staleTargets() {
  return Object.keys(TARGETS).filter(
    (name) => readStamp(join(TARGETS[name].out, STAMP)) !== targetHash(name),
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Run fn holding the checkout's lock (a file created with O_EXCL holding the owner's pid), so
 * concurrent starts and builds from one folder take turns. A lock whose owner is gone is taken over.
 */
export async function withLock(fn, { onWait } = {}) {
  const lock = join(ROOT, '.palabre.lock');
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner;
      try {
        owner = Number(readFileSync(lock, 'utf8'));
      } catch {
        continue; // released between our two calls
      }
      // A lock file still empty is being written by its owner: not stale.
      if (owner && !alive(owner)) {
        // Re-read right before removing, so a lock just taken by someone else is left alone.
        if (Number(readFileSync(lock, 'utf8')) === owner) unlinkSync(lock);
        continue;
      }
      if (!waited) onWait?.(owner);
      waited = true;
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (Number(readFileSync(lock, 'utf8')) === process.pid) unlinkSync(lock);
    } catch {
      // already gone
    }
  }
}

export const rel = (path) => relative(ROOT, path);
