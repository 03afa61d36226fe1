/**
 * Search in Chromium, end to end: the real web app, signed in, its search worker loading a
 * persisted index of the whole corpus from IndexedDB (cold load, five times: the worker tells
 * how long opening, reading and restoring took), then queries typed key by key
 * into « Rechercher une discussion », each keystroke timed until its results are painted (the
 * results list says which query it answers in `data-query`; the time is taken in the frame
 * after the DOM shows that answer).
 */
import { chromium, type Browser } from '@playwright/test';
import { SearchIndex, type SnapshotRecord, type UnitRecord } from '@palabre/shared/search/index';
import type { ServerChild } from '../children.js';
import { loginAll } from '../clients.js';
import { log } from '../log.js';
import { median, summarize, type Summary } from '../stats.js';
import { generateCorpus } from './corpus.js';
import { CHROMIUM_LAUNCH } from '../../tests/chromium.js';

/** One cold load as the worker reported it: in all, and where the time went (ms). */
export interface ColdLoad {
  loadMs: number;
  phases?: { open: number; read: number; readSnapshot: number; readUnits: number; restore: number };
}

/** Cold loads measured (the page reloads each time): one alone says little on a shared machine. */
const COLD_LOADS = 5;

export interface BrowserSearchResult {
  messages: number;
  /** The worker's cold load of the persisted index (read + restore): the median of `coldLoads`. */
  coldLoadMs: number;
  coldLoads: ColdLoad[];
  /** Keystroke (input event) to results painted. */
  keystroke: Summary;
  keystrokes: number;
  /** The slowest keystrokes: the text typed, keystroke to painted, and the worker's time. */
  slowest: { text: string; ms: number; workerMs: number }[];
  /**
   * Keystrokes whose results were painted in the keystroke's own frame (the one showing the
   * letter, up to 16.7 ms after it at 60 Hz), in the next one, or later.
   */
  frames: { own: number; next: number; later: number };
  queries: string[];
}

const PASSWORD = 'bench-password';

/** Queries typed letter by letter: words, prefixes, typos, several words, filters. */
const QUERIES = [
  'réunion',
  'reunoin',
  'facture',
  'livraison client',
  'prés',
  'coeur',
  'planning semaine',
  'devis signé',
  'de:claire budget',
  'apres:2026-06-01 contrat',
  'a:fichier compte',
  'télétravail',
];

/** A record for page.evaluate: typed arrays as { __typed, b64 } (revived in the page). */
function wire(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { __typed: value.constructor.name, b64: bytes.toString('base64') };
  }
  if (Array.isArray(value)) return value.map(wire);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]));
}

export async function runBrowserSearch(
  count: number,
  startServer: () => Promise<ServerChild>,
): Promise<BrowserSearchResult> {
  let server: ServerChild | null = null;
  let browser: Browser | null = null;
  try {
    server = await startServer();
    const http = `http://127.0.0.1:${server.port}`;
    await server.request(
      'createUsers',
      { usernames: ['claire'], password: PASSWORD, displayNames: ['Claire Martin'] },
      60_000,
    );
    const [me] = await loginAll(http, ['claire'], PASSWORD);

    log(`  building the persisted index of ${count} messages`);
    const corpus = generateCorpus(count);
    const index = new SearchIndex();
    for (const [id, list] of corpus.messages) index.replace(id, list, []);
    const snapshot: SnapshotRecord = index.snapshot();
    const units: UnitRecord[] = [...index.units.values()].map((u) => u.toRecord());

    browser = await chromium.launch({
      ...CHROMIUM_LAUNCH,
      headless: true,
    });
    const context = await browser.newContext({
      baseURL: http,
      locale: 'fr-FR',
      viewport: { width: 1280, height: 800 },
    });
    // tsx wraps functions in `__name` calls the page does not have (see coldstart.ts).
    await context.addInitScript('globalThis.__name ??= (fn) => fn;');
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Identifiant').fill('claire');
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/discussions/, { timeout: 30_000 });
    await page.waitForFunction(() => performance.getEntriesByName('palabre:search-ready').length > 0, null, {
      timeout: 60_000,
    });

    // The index as the worker would have saved it, written into the page's IndexedDB (typed
    // arrays travel as base64 and are rebuilt in the page: they are stored as typed arrays).
    const name = `palabre:${me.userId}:search`;
    const put = (args: { name: string; store: string; entries: [string, unknown][] }) =>
      new Promise<void>((resolve, reject) => {
        const revive = (value: unknown): unknown => {
          if (Array.isArray(value)) return value.map(revive);
          if (value === null || typeof value !== 'object') return value;
          const typed = value as { __typed?: string; b64?: string };
          if (typed.__typed && typed.b64 !== undefined) {
            const bytes = Uint8Array.from(atob(typed.b64), (c) => c.charCodeAt(0));
            const Ctor = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[
              typed.__typed
            ];
            return new Ctor(bytes.buffer);
          }
          return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
        };
        const open = indexedDB.open(args.name, 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(args.store, 'readwrite');
          for (const [key, value] of args.entries) tx.objectStore(args.store).put(revive(value), key);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });
    for (let i = 0; i < units.length; i += 20) {
      await page.evaluate(put, {
        name,
        store: 'units',
        entries: units.slice(i, i + 20).map((u): [string, unknown] => [u.id, wire(u)]),
      });
    }
    await page.evaluate(put, {
      name,
      store: 'meta',
      entries: [['snapshot', wire(snapshot)] as [string, unknown]],
    });

    log(`  reloading ${COLD_LOADS} times: the worker loads the persisted index`);
    const coldLoads: ColdLoad[] = [];
    for (let i = 0; i < COLD_LOADS; i++) {
      await page.reload();
      await page.waitForFunction(
        () => performance.getEntriesByName('palabre:search-ready').length > 0,
        null,
        {
          timeout: 120_000,
        },
      );
      const ready = await page.evaluate(
        () =>
          (performance.getEntriesByName('palabre:search-ready')[0] as PerformanceMark).detail as ColdLoad & {
            messages: number;
          },
      );
      if (ready.messages < count) throw new Error(`the worker loaded ${ready.messages} of ${count} messages`);
      coldLoads.push({ loadMs: ready.loadMs, phases: ready.phases });
    }

    // Timing harness: input event -> results that answer this keystroke (or a later one: the
    // page drops an answer a newer keystroke made stale) are on screen -> next frame painted.
    // A keystroke is timed until the results list says it answers that text or a later one.
    await page.evaluate(() => {
      const w = window as unknown as {
        __samples: { text: string; ms: number; workerMs: number; frames: number }[];
      };
      w.__samples = [];
      /** `frame`: the start of the first frame after the keystroke (the one that shows the letter). */
      const pending: { started: number; value: string; frame: number | null }[] = [];
      const input = document.getElementById('discussion-filter') as HTMLInputElement;
      const check = () => {
        const list = document.getElementById('search-results');
        if (!list || list.getAttribute('aria-busy') !== 'false') return;
        let last = -1;
        for (let i = 0; i < pending.length; i++) if (pending[i].value === list.dataset.query) last = i;
        if (last < 0) return;
        const done = pending.splice(0, last + 1);
        const workerMs = Number(list.dataset.ms);
        requestAnimationFrame((frame) =>
          setTimeout(() => {
            const now = performance.now();
            for (const k of done)
              w.__samples.push({
                text: k.value,
                ms: now - k.started,
                workerMs,
                // Frames (60 Hz) between the keystroke's own frame and the one that shows results.
                frames: k.frame === null ? 0 : Math.round((frame - k.frame) / (1000 / 60)),
              });
          }, 0),
        );
      };
      input.addEventListener('input', (event) => {
        // A cleared box starts the next query: nothing typed before it is waiting any more.
        if (input.value === '') pending.length = 0;
        else {
          const k = { started: event.timeStamp, value: input.value, frame: null as number | null };
          requestAnimationFrame((frame) => (k.frame = frame));
          pending.push(k);
        }
        check();
      });
      new MutationObserver(check).observe(document.body, {
        subtree: true,
        attributes: true,
        childList: true,
      });
    });
    const box = page.getByRole('combobox', { name: 'Rechercher une discussion' });
    let keystrokes = 0;
    for (let round = 0; round < 2; round++) {
      for (const q of QUERIES) {
        await box.fill('');
        await box.focus();
        // About as fast as a quick typist: each keystroke is timed on its own.
        await page.keyboard.type(q, { delay: 120 });
        keystrokes += [...q].length;
        await page.waitForTimeout(300);
      }
    }
    const samples = await page.evaluate(
      () =>
        (window as unknown as { __samples: { text: string; ms: number; workerMs: number; frames: number }[] })
          .__samples,
    );
    return {
      messages: count,
      coldLoadMs: median(coldLoads.map((c) => c.loadMs)),
      coldLoads,
      keystroke: summarize(samples.map((k) => k.ms)),
      keystrokes,
      slowest: [...samples].sort((a, b) => b.ms - a.ms).slice(0, 5),
      frames: {
        own: samples.filter((k) => k.frames <= 0).length,
        next: samples.filter((k) => k.frames === 1).length,
        later: samples.filter((k) => k.frames >= 2).length,
      },
      queries: QUERIES,
    };
  } finally {
    await browser?.close();
    await server?.stop();
  }
}
