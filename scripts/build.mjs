// `pnpm build`: build the web app (web/build) and the server (sync-server/dist, compiled JavaScript:
// no TypeScript at run time; main.js the server, cli.js the `palabre` command). Each is rebuilt only when its sources changed (`--force`: always).
// Safe to run next to other builds and starts from the same folder: they take turns on the
// checkout's lock, and each output is built in a temporary folder then renamed into place, so a
// reader sees the old build or the new one, never half of one.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, STAMP, TARGETS, staleTargets, targetHash, withLock } from './build-state.mjs';

const say = (line) => console.log(`[build] ${line}`);

/** Side by side with the output, hidden from the source hash (names starting with .build-). */
const scratch = (out, what) => join(dirname(out), `.build-${what}-${basename(out)}-${process.pid}`);

function buildWeb(tmp) {
  const vite = join(ROOT, 'web/node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: join(ROOT, 'web'),
    stdio: 'inherit',
    // svelte.config.js writes the app where PALABRE_WEB_OUT says (relative to web/).
    env: { ...process.env, PALABRE_WEB_OUT: basename(tmp) },
  });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
}

async function buildServer(tmp) {
  const require = createRequire(join(ROOT, 'sync-server/package.json'));
  const esbuild = await import(pathToFileURL(require.resolve('esbuild')).href);
  await esbuild.build({
    entryPoints: {
      main: join(ROOT, 'sync-server/src/main.ts'),
      // `npm run palabre` (backup, verify, restore): scripts/palabre.mjs imports it.
      cli: join(ROOT, 'sync-server/src/cli.ts'),
    },
    outdir: tmp,
    bundle: true,
    // Code loaded only on demand (the OpenAPI page, demo seeding) goes to chunks of its own.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native addons cannot be bundled: loaded from node_modules at run time.
    external: ['better-sqlite3', 'sharp'],
    // Bundled CommonJS (ws) calls require(): give ESM chunks one.
    banner: {
      js: "import { createRequire as __palabreCreateRequire } from 'node:module'; const require = __palabreCreateRequire(import.meta.url);",
    },
    // Whitespace and syntax minified, names kept (stack traces still name every function): V8
    // holds the source of every module it loaded, so a smaller bundle idles at about 0.5 MiB less
    // resident memory. `node --enable-source-maps` maps traces back to the TypeScript.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

const BUILDERS = { web: buildWeb, server: buildServer };

/** Build the named targets now (the caller holds the lock). */
export async function buildTargets(names) {
  for (const name of names) {
    const started = performance.now();
    // Hashed before building: a source edited during the build makes the next start rebuild.
    const hash = targetHash(name);
    const out = join(ROOT, TARGETS[name].out);
    const tmp = scratch(out, 'new');
    const old = scratch(out, 'old');
    rmSync(tmp, { recursive: true, force: true });
    try {
      await BUILDERS[name](tmp);
      writeFileSync(join(tmp, STAMP), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
      if (existsSync(out)) renameSync(out, old);
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    }
    say(`${TARGETS[name].out} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * Build what is stale (or every one of `only` with force), under the lock; another process may
 * have built it while we waited.
 */
export async function buildStale({ force = false, only = Object.keys(TARGETS) } = {}) {
  const wanted = () => (force ? only : staleTargets().filter((n) => only.includes(n)));
  if (wanted().length === 0) return [];
  return withLock(
    async () => {
      const names = wanted();
      await buildTargets(names);
      return names;
    },
    { onWait: (pid) => say(`waiting for process ${pid}, which holds the build lock`) },
  );
}

// node scripts/build.mjs [--force] [web] [server]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const named = args.filter((a) => !a.startsWith('--'));
  const unknown = named.filter((n) => !(n in TARGETS));
  if (unknown.length > 0) throw new Error(`unknown target(s) ${unknown.join(', ')}; known: web, server`);
  const only = named.length > 0 ? named : Object.keys(TARGETS);
  const built = await buildStale({ force: args.includes('--force'), only });
  if (built.length === 0) say(`${only.map((n) => TARGETS[n].out).join(' and ')} up to date`);
}
