// SvelteKit config: a client-rendered SPA, built to web/build and served by the sync server.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // Every unknown path gets index.html, so /discussions/<id> works on reload.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // The fallback page is served at any depth: asset URLs must be absolute.
    paths: { relative: false },
    // src/service-worker.ts caches the app shell so Palabre opens with no network.
    serviceWorker: { register: true },
    // One script for the whole app: opening Palabre in a new tab then costs one read from the
    // service worker's cache instead of a waterfall of route chunks (docs/BENCHMARKS.md, cold start).
    output: { bundleStrategy: 'single' },
  },
};

export default config;
