// SvelteKit config: a client-rendered SPA, built to web/build and served by the sync server.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The CSP hashes of app.html's own inline scripts (SvelteKit hashes only the scripts it writes).
 * Computed from the file at build time, so editing the script can never break the policy.
 */
const appHtmlScriptHashes = [
  ...readFileSync(new URL('./src/app.html', import.meta.url), 'utf8').matchAll(
    /<script>([\s\S]*?)<\/script>/g,
  ),
].map((m) => `sha256-${createHash('sha256').update(m[1]).digest('base64')}`);

// scripts/build.mjs builds into a temporary folder (PALABRE_WEB_OUT) and renames it to build/.
const out = process.env.PALABRE_WEB_OUT ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // Every unknown path gets index.html, so /discussions/<id> works on reload.
    adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: true }),
    // The fallback page is served at any depth: asset URLs must be absolute.
    paths: { relative: false },
    // src/service-worker.ts caches the app shell so Palabre opens with no network.
    serviceWorker: { register: true },
    // One script for the whole app: opening Palabre in a new tab then costs one read from the
    // service worker's cache instead of a waterfall of route chunks (docs/BENCHMARKS.md, cold start).
    output: { bundleStrategy: 'single' },
    // A strict policy, written by SvelteKit as a <meta> in the page with the hashes of its inline
    // scripts; the server sends it as a header too, with frame-ancestors (docs/SECURITY.md).
    // Styles may be inline: Svelte sets style attributes; scripts may not.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', ...appHtmlScriptHashes],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'worker-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;
