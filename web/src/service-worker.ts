/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * The offline app shell: every built file, every static file and the shell page itself (`/`,
 * which the server answers with index.html) are cached at install, one cache per build
 * `version`. Navigations get the cached shell at once (with or without network): the data comes
 * from IndexedDB and localStorage, then from the server. /api and /sync are never cached.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const PREFIX = 'palabre-shell-';
const CACHE = `${PREFIX}${version}`;
const SHELL = '/';
/** Asked with no-cache by SvelteKit to detect a new version: always from the network. */
const VERSION_FILE = '/_app/version.json';
const ASSETS = new Set([...build, ...files].filter((path) => path !== VERSION_FILE));

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([...ASSETS, SHELL]);
      // A new build takes over at once: its shell and files are all in its cache already.
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

function isServerPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/') || pathname.startsWith('/sync/');
}

async function fromCache(request: Request | string): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(request);
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || isServerPath(url.pathname)) return;

  // `vite dev` lists no built files: let it serve its own pages.
  if (request.mode === 'navigate' && build.length > 0) {
    // Every app route is the same page: the cached shell, without waiting for the network.
    event.respondWith(
      (async () => (await fromCache(SHELL)) ?? fetch(request).catch(() => Response.error()))(),
    );
    return;
  }

  if (ASSETS.has(url.pathname)) {
    // Built files never change within a version: the cache is the truth.
    event.respondWith((async () => (await fromCache(url.pathname)) ?? fetch(request))());
  }
  // Anything else (the version file, files of another build) goes to the network as usual.
});
