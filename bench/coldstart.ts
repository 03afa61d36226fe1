/**
 * Cold start of the web app from local data: the real server serving web/build, one user with
 * `discussions` discussions of `messages` messages each, signed in once in a persistent Chromium
 * profile; once the app's background sync has copied every discussion into IndexedDB, the network
 * is cut (context.setOffline) and the app is opened again and again (reload, new page, new
 * browser) while an init script notes when the sidebar and the open thread are on screen.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import * as Y from 'yjs';
import { markRead, messagesMap, newId, type DiscussionSummary, type MessageRecord } from '@palabre/shared';
import { ROOT, type ServerChild } from './children.js';
import {
  closeClient,
  createDiscussion,
  loginAll,
  openClient,
  sleep,
  waitSynced,
  type Client,
} from './clients.js';
import { chatText } from './history.js';
import { log } from './log.js';
import { machineBusyMicros, processesCpuMicros } from './machine.js';
import { summarize, type Summary } from './stats.js';
import { CHROMIUM_LAUNCH } from '../tests/chromium.js';

export interface ColdStartScale {
  discussions: number;
  messages: number;
  colleagues: number;
  /** Measured openings per (network, mode), after one that is not counted. */
  repeats: number;
  /** Openings with a freshly launched browser (offline only): each costs a browser start. */
  relaunches: number;
  /** Longest wait for the background sync to copy every discussion. */
  syncTimeoutMs: number;
}

export type OpenMode = 'reload' | 'new page' | 'new browser';

/** One opening, in ms since its navigation started (performance.now() in the page). */
export interface Opening {
  /** The sidebar's discussion links are all in the DOM / on screen (the frame after). */
  sidebarDom: number | null;
  sidebar: number | null;
  /** The open thread shows its last message, in its visible area / on screen. */
  threadDom: number | null;
  thread: number | null;
  fcp: number | null;
  /** Navigation timing: the shell page received (from the service worker), DOMContentLoaded. */
  shell: number | null;
  domContentLoaded: number | null;
  /** The last of the app's files (/_app/…) requested before the sidebar was there, received. */
  modules: number | null;
  /** navigator.onLine and the path the app ended on. */
  online: boolean;
  path: string;
  /**
   * CPU used by every other process of the machine from the navigation to the last mark, in
   * cores: the machine's busy time minus the benchmark, the server and this browser (null off Linux).
   */
  otherCores: number | null;
}

export interface OpeningSeries {
  network: 'offline' | 'online';
  mode: OpenMode;
  openings: Opening[];
  /** Openings where a mark never came within the timeout. */
  incomplete: number;
  sidebar: Summary;
  thread: Summary;
}

export interface ColdStartResult {
  discussions: number;
  messagesEach: number;
  colleagues: number;
  avgTextChars: number;
  /** The web app: built by this run or found, and how it relates to web/src. */
  build: { builtByBench: boolean; builtAt: string; newerSources: string[] };
  seedS: number;
  /** Background sync, from the thread being opened until every discussion was verified. */
  sync: {
    completed: boolean;
    seconds: number;
    /** Discussions whose IndexedDB copy held every message, and what it took in bytes. */
    verified: number;
    idbBytes: number;
    /** Discussions the app's own signal (local cache version) said were synced. */
    signalled: number;
    notes: string[];
    timeoutS: number;
  };
  /** Requests and WebSocket frames that reached the server while the network was cut. */
  leaks: { requests: number; wsFrames: number };
  series: OpeningSeries[];
}

const PASSWORD = 'bench-password';
/**
 * tsx compiles this file with esbuild's keepNames, which wraps functions in calls to a `__name`
 * helper that the page does not have: the functions handed to the page need it defined there.
 */
const NAME_SHIM = 'globalThis.__name ??= (fn) => fn;';
const OPEN_TIMEOUT_MS = 15_000;

const PEOPLE = [
  'Camille Laurent',
  'Claire Martin',
  'François Dupont',
  'Élodie Bernard',
  'Julien Moreau',
  'Sophie Lefèvre',
  'Nicolas Garnier',
  'Inès Rousseau',
  'Thomas Girard',
  'Léa Fontaine',
  'Mathieu Chevalier',
  'Amandine Perrin',
  'Hugo Lambert',
];
const GROUPS = [
  'Chantier Dubois',
  'Planning atelier',
  'Devis en cours',
  'Équipe Nantes',
  'SAV',
  'Commandes fournisseurs',
  'Stock',
  'Direction',
  'Intervention Lyon',
  'Congés été',
  'Véhicules',
  'Sécurité chantier',
  'Compta',
  'Clients pro',
  'Réunion lundi',
  'Formation habilitations',
  'Chantier Garnier',
  'Relances',
  'Atelier nord',
  'Dépannages urgents',
];
/** The last message of the discussion that is opened: a text no other message has. */
const LAST_TEXT = 'Parfait, on se retrouve jeudi à 9 h devant le chantier Dubois, avec le devis signé';

/** The app was built (web/build/index.html) or is built now with `pnpm build`. */
async function ensureBuild(): Promise<ColdStartResult['build']> {
  const index = join(ROOT, 'web/build/index.html');
  let builtByBench = false;
  if (!existsSync(index)) {
    log('  web/build is missing: pnpm build');
    await new Promise<void>((resolve, reject) => {
      const child = spawn('pnpm', ['build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pnpm build exited ${code}`))));
    });
    builtByBench = true;
  }
  const builtAt = statSync(index).mtimeMs;
  const newerSources: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (statSync(path).mtimeMs > builtAt && !/\.test\.ts$/.test(entry.name))
        newerSources.push(path.slice(ROOT.length + 1));
    }
  };
  walk(join(ROOT, 'web/src'));
  return { builtByBench, builtAt: new Date(builtAt).toISOString(), newerSources };
}

interface Person {
  userId: string;
  token: string;
  name: string;
}

interface Plan {
  id: string;
  members: Person[];
  /** The link text the sidebar shows: the group's title, or the other person's name. */
  label: string;
}

/** Deterministic 0..n-1 picks. */
function picker(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

/**
 * The discussions, created through POST /api/discussions: one direct discussion with each
 * colleague (so far as there are discussions), groups of 2 to 4 colleagues for the rest.
 */
async function createDiscussions(
  http: string,
  me: Person,
  colleagues: Person[],
  count: number,
): Promise<Plan[]> {
  const plans: Plan[] = [];
  const pick = picker(7);
  for (let d = 0; d < count; d++) {
    if (d < colleagues.length) {
      const other = colleagues[d];
      // Half of them started by the colleague.
      const [creator, invited] = d % 2 ? [other, me] : [me, other];
      const id = await createDiscussion(http, creator, [invited]);
      plans.push({ id, members: [me, other], label: other.name });
    } else {
      const others = new Set<Person>();
      const size = 2 + pick(3);
      while (others.size < size) others.add(colleagues[pick(colleagues.length)]);
      const n = d - colleagues.length;
      const title = `${GROUPS[n % GROUPS.length]}${n >= GROUPS.length ? ` ${Math.floor(n / GROUPS.length) + 1}` : ''}`;
      const id = await createDiscussion(http, me, [...others], title);
      plans.push({ id, members: [me, ...others], label: title });
    }
  }
  return plans;
}

/**
 * `count` messages in discussion `d`, through the sync socket as their authors (so through the
 * server's checks): each member writes their share in one transaction, with timestamps spread
 * over the days before the discussion's last activity (discussion 0 is the most recent). Then
 * my client checks it has them all and marks them read, as if I had followed along.
 */
async function writeMessages(wsUrl: string, plan: Plan, d: number, count: number, me: Person): Promise<void> {
  const pick = picker(1000 + d);
  const end = Date.now() - 60_000 - d * 47 * 60_000;
  const byAuthor = new Map<Person, MessageRecord[]>();
  for (let i = 0; i < count; i++) {
    const author = plan.members[pick(plan.members.length)];
    const last = d === 0 && i === count - 1;
    const record = {
      id: newId(),
      author: author.userId,
      text: last ? LAST_TEXT : chatText(d * count + i),
      ts: end - (count - 1 - i) * 7 * 60_000,
    };
    byAuthor.set(author, [...(byAuthor.get(author) ?? []), record]);
  }
  const clients: Client[] = [];
  try {
    for (const [author, records] of byAuthor) {
      const client = openClient(wsUrl, { room: plan.id, token: author.token });
      clients.push(client);
      await waitSynced(client.provider, 30_000);
      client.doc.transact(() => {
        for (const r of records) messagesMap(client.doc).set(r.id, r);
      });
    }
    const mine = openClient(wsUrl, { room: plan.id, token: me.token });
    clients.push(mine);
    await waitSynced(mine.provider, 30_000);
    const map = messagesMap(mine.doc);
    const deadline = performance.now() + 30_000;
    while (map.size < count) {
      if (performance.now() > deadline)
        throw new Error(`discussion ${d}: ${map.size} of ${count} messages stored`);
      await sleep(20);
    }
    markRead(mine.doc, me.userId);
    await sleep(300);
  } finally {
    clients.forEach(closeClient);
  }
}

/**
 * In the page, from document start: notes (performance.now(), i.e. ms since navigation start)
 * when the sidebar holds `links` discussion links and when the message log shows `lastText` in
 * its visible area; each in the DOM, then "painted": the first task after the next animation
 * frame, i.e. after the frame that rendered it.
 */
function probe({ lastText, links }: { lastText: string; links: number }): void {
  if (window.top !== window) return;
  const marks: Record<string, number> = {};
  (window as unknown as { __coldStart: Record<string, number> }).__coldStart = marks;
  const afterPaint = (name: string) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => (marks[name] = performance.now());
      channel.port2.postMessage(null);
    });
  const sidebarReady = () =>
    document.querySelectorAll('aside[aria-label="Discussions"] a[href^="/discussions/"]').length >= links;
  const threadReady = () => {
    const log = document.querySelector('[role="log"][aria-label="Messages"]');
    if (!log) return false;
    const articles = log.querySelectorAll('article');
    for (let i = articles.length - 1; i >= 0; i--) {
      if (!articles[i].textContent?.includes(lastText)) continue;
      const box = log.getBoundingClientRect();
      const r = articles[i].getBoundingClientRect();
      return r.height > 0 && r.bottom > box.top && r.top < box.bottom;
    }
    return false;
  };
  const check = () => {
    if (marks.sidebarDom === undefined && sidebarReady()) {
      marks.sidebarDom = performance.now();
      afterPaint('sidebar');
    }
    if (marks.threadDom === undefined && threadReady()) {
      marks.threadDom = performance.now();
      afterPaint('thread');
    }
    return marks.sidebarDom !== undefined && marks.threadDom !== undefined;
  };
  const observer = new MutationObserver(() => {
    if (check()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
  // Scrolling the thread to its end changes no DOM: look again at every frame too.
  const frame = () => {
    if (!check()) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Wait for both marks (or the timeout), then read them with the first contentful paint. */
async function readMarks(page: Page): Promise<Omit<Opening, 'otherCores'>> {
  await page
    .waitForFunction(
      () => {
        const m = (window as unknown as { __coldStart?: Record<string, number> }).__coldStart;
        return m !== undefined && m.sidebar !== undefined && m.thread !== undefined;
      },
      null,
      { timeout: OPEN_TIMEOUT_MS, polling: 100 },
    )
    .catch(() => {});
  return page.evaluate(() => {
    const m = (window as unknown as { __coldStart?: Record<string, number> }).__coldStart ?? {};
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    // Resource timing: when the last of the app's files the first screen needed was received.
    const early = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
      (r) => new URL(r.name).pathname.startsWith('/_app/') && r.startTime < (m.sidebarDom ?? Infinity),
    );
    return {
      modules: early.length ? Math.max(...early.map((r) => r.responseEnd)) : null,
      shell: nav?.responseEnd || null,
      domContentLoaded: nav?.domContentLoadedEventEnd || null,
      sidebarDom: m.sidebarDom ?? null,
      sidebar: m.sidebar ?? null,
      threadDom: m.threadDom ?? null,
      thread: m.thread ?? null,
      fcp: fcp ?? null,
      online: navigator.onLine,
      path: location.pathname,
    };
  });
}

/** Every IndexedDB copy (y-indexeddb's `updates` store) of these databases, base64, or null. */
async function readDatabases(page: Page, names: string[]): Promise<Record<string, string[] | null>> {
  return page.evaluate(async (wanted) => {
    const present = new Set((await indexedDB.databases()).map((d) => d.name));
    const out: Record<string, string[] | null> = {};
    const b64 = (bytes: Uint8Array) => {
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000)
        s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    };
    for (const name of wanted) {
      // Opening a database that does not exist would create it: only look at existing ones.
      if (!present.has(name)) {
        out[name] = null;
        continue;
      }
      out[name] = await new Promise<string[] | null>((resolve) => {
        const open = indexedDB.open(name);
        open.onerror = () => resolve(null);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('updates')) {
            db.close();
            resolve(null);
            return;
          }
          const all = db.transaction('updates', 'readonly').objectStore('updates').getAll();
          all.onsuccess = () => {
            db.close();
            resolve((all.result as unknown[]).filter((u) => u instanceof Uint8Array).map((u) => b64(u)));
          };
          all.onerror = () => {
            db.close();
            resolve(null);
          };
        };
      });
    }
    return out;
  }, names);
}

/** Messages in a y-indexeddb copy, and its bytes. */
function countMessages(updates: string[]): { messages: number; bytes: number } {
  const doc = new Y.Doc();
  let bytes = 0;
  for (const u of updates) {
    const update = Buffer.from(u, 'base64');
    bytes += update.byteLength;
    Y.applyUpdate(doc, update);
  }
  const messages = messagesMap(doc).size;
  doc.destroy();
  return { messages, bytes };
}

async function serverVersions(http: string, token: string): Promise<Map<string, DiscussionSummary>> {
  const res = await fetch(`${http}/api/discussions`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`GET /api/discussions: ${res.status}`);
  const { discussions } = (await res.json()) as { discussions: DiscussionSummary[] };
  return new Map(discussions.map((s) => [s.id, s]));
}

/**
 * Until every discussion's IndexedDB copy holds its `count` messages (or the timeout): each
 * round asks the app's own signal (localStorage `palabre:<me>:doc:<id>`.v against the server's
 * version) and reads the copies it says are done; every fifth round reads all the others too,
 * in case the signal lags or is missing.
 */
async function waitForBackgroundSync(
  page: Page,
  http: string,
  me: Person,
  plans: Plan[],
  count: number,
  timeoutMs: number,
): Promise<ColdStartResult['sync']> {
  const t0 = performance.now();
  const verified = new Map<string, number>();
  const notes: string[] = [];
  let lastCounts = new Map<string, number | null>();
  for (let round = 0; ; round++) {
    const versions = await serverVersions(http, me.token);
    const signal = await page.evaluate(
      ({ user, ids }) =>
        ids.map((id) => {
          try {
            const info = JSON.parse(localStorage.getItem(`palabre:${user}:doc:${id}`) ?? 'null') as {
              v?: number;
            } | null;
            return info?.v ?? 0;
          } catch {
            return 0;
          }
        }),
      { user: me.userId, ids: plans.map((p) => p.id) },
    );
    const signalled = plans.filter((p, i) => signal[i] >= (versions.get(p.id)?.version ?? Infinity)).length;
    const toRead = plans.filter(
      (p, i) =>
        !verified.has(p.id) && (round % 5 === 4 || signal[i] >= (versions.get(p.id)?.version ?? Infinity)),
    );
    if (toRead.length > 0) {
      const copies = await readDatabases(
        page,
        toRead.map((p) => `palabre:${me.userId}:${p.id}`),
      );
      lastCounts = new Map();
      for (const p of toRead) {
        const updates = copies[`palabre:${me.userId}:${p.id}`];
        const stored = updates ? countMessages(updates) : null;
        lastCounts.set(p.id, stored?.messages ?? null);
        if (stored && stored.messages >= count) verified.set(p.id, stored.bytes);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    if (verified.size === plans.length || performance.now() - t0 > timeoutMs) {
      const completed = verified.size === plans.length;
      if (!completed) {
        const missing = plans.filter((p) => !verified.has(p.id));
        const noDb = missing.filter((p) => lastCounts.get(p.id) === null).length;
        notes.push(
          `after ${Math.round(seconds)} s, ${missing.length} of ${plans.length} discussions were not fully ` +
            `in IndexedDB (${noDb} without a database or an \`updates\` store at the last look; the others ` +
            `held ${missing
              .map((p) => lastCounts.get(p.id))
              .filter((n) => typeof n === 'number')
              .slice(0, 5)
              .join(', ')}… of ${count} messages); the app's own signal said ${signalled} were synced`,
        );
      }
      const idbBytes = [...verified.values()].reduce((a, b) => a + b, 0);
      return {
        completed,
        seconds,
        verified: verified.size,
        idbBytes,
        signalled,
        notes,
        timeoutS: timeoutMs / 1000,
      };
    }
    if (round % 5 === 0)
      log(
        `  background sync: ${verified.size}/${plans.length} verified, ${signalled} signalled, ${Math.round(seconds)} s`,
      );
    await sleep(2000);
  }
}

function series(network: OpeningSeries['network'], mode: OpenMode, openings: Opening[]): OpeningSeries {
  const values = (pick: (o: Opening) => number | null) =>
    openings.map(pick).filter((v): v is number => v !== null);
  return {
    network,
    mode,
    openings,
    incomplete: openings.filter((o) => o.sidebar === null || o.thread === null).length,
    sidebar: summarize(values((o) => o.sidebar)),
    thread: summarize(values((o) => o.thread)),
  };
}

export async function runColdStart(
  scale: ColdStartScale,
  startServer: () => Promise<ServerChild>,
): Promise<ColdStartResult> {
  const build = await ensureBuild();
  if (build.newerSources.length)
    log(`  web/build predates ${build.newerSources.length} file(s) of web/src: measuring the build as it is`);
  const profile = mkdtempSync(join(tmpdir(), 'palabre-bench-chromium-'));
  let server: ServerChild | null = null;
  let context: BrowserContext | null = null;
  try {
    server = await startServer();
    const http = `http://127.0.0.1:${server.port}`;
    const wsUrl = `ws://127.0.0.1:${server.port}/sync`;

    // People, discussions, messages.
    const t0 = performance.now();
    const names = PEOPLE.slice(0, scale.colleagues + 1);
    const usernames = names.map(
      (n, i) =>
        `${n
          .split(' ')[0]
          .normalize('NFD')
          .replace(/\p{Diacritic}/gu, '')
          .toLowerCase()}${i}`,
    );
    await server.request('createUsers', { usernames, password: PASSWORD, displayNames: names }, 120_000);
    const logged = await loginAll(http, usernames, PASSWORD);
    const people: Person[] = logged.map((m, i) => ({ ...m, name: names[i] }));
    const [me, ...colleagues] = people;
    const plans = await createDiscussions(http, me, colleagues, scale.discussions);
    log(`  writing ${scale.discussions} × ${scale.messages} messages through the sync socket`);
    for (let d = 0; d < plans.length; d += 5) {
      await Promise.all(
        plans.slice(d, d + 5).map((plan, j) => writeMessages(wsUrl, plan, d + j, scale.messages, me)),
      );
    }
    const summaries = await serverVersions(http, me.token);
    const empty = plans.filter((p) => !summaries.get(p.id)?.lastMessage).length;
    if (empty) throw new Error(`${empty} discussions have no last message on the server after seeding`);
    const seedS = (performance.now() - t0) / 1000;
    let textChars = 0;
    for (let i = 0; i < 10_000; i++) textChars += chatText(i).length;

    // Sign in once, open the most recent discussion, let the background sync copy everything.
    const launch = () =>
      chromium.launchPersistentContext(profile, {
        ...CHROMIUM_LAUNCH,
        headless: true,
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
        viewport: { width: 1280, height: 800 },
        baseURL: http,
      });
    context = await launch();
    await context.addInitScript(NAME_SHIM);
    let page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/login');
    await page.getByLabel('Identifiant').fill(usernames[0]);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/discussions/, { timeout: 15_000 });
    const opened = plans[0];
    await page
      .getByRole('complementary', { name: 'Discussions' })
      .getByRole('link', { name: opened.label })
      .first()
      .click();
    await page.waitForURL(new RegExp(`/discussions/${opened.id}$`), { timeout: 15_000 });
    await page.getByRole('log', { name: 'Messages' }).getByText(LAST_TEXT).waitFor({ timeout: 30_000 });
    log('  signed in, thread open; waiting for the background sync of every discussion');
    const sync = await waitForBackgroundSync(page, http, me, plans, scale.messages, scale.syncTimeoutMs);
    log(
      `  background sync: ${sync.verified}/${plans.length} in IndexedDB after ${sync.seconds.toFixed(0)} s` +
        (sync.completed ? '' : ' (INCOMPLETE)'),
    );
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker?.getRegistration();
      return {
        active: Boolean(registration?.active),
        controlled: Boolean(navigator.serviceWorker?.controller),
      };
    });
    if (!worker.active) sync.notes.push('no active service worker: an offline reload cannot load the app');

    // What reaches the server while the network is cut (should be nothing).
    let offline = false;
    const leaks = { requests: 0, wsFrames: 0 };
    const watch = (ctx: BrowserContext) => {
      ctx.on('requestfinished', (request) => {
        if (offline && request.url().startsWith(http)) {
          void request.response().then((response) => {
            if (response && !response.fromServiceWorker()) leaks.requests++;
          });
        }
      });
      ctx.on('page', (p) => watchPage(p));
    };
    const watchPage = (p: Page) =>
      p.on('websocket', (ws) => {
        ws.on('framereceived', () => {
          if (offline) leaks.wsFrames++;
        });
      });
    watch(context);
    watchPage(page);
    await context.addInitScript(probe, { lastText: LAST_TEXT, links: plans.length });

    const all: OpeningSeries[] = [];
    // CPU of everything but this machine's other processes, to say how busy they kept it.
    const snap = async () => {
      const own = process.cpuUsage();
      return {
        t: performance.now(),
        machine: machineBusyMicros(),
        ours: own.user + own.system + (await server!.request('cpu', {})).micros + processesCpuMicros(profile),
      };
    };
    let start = await snap();
    const begin = async () => void (start = await snap());
    const measure = async (
      network: OpeningSeries['network'],
      mode: OpenMode,
      repeats: number,
      open: () => Promise<Page>,
    ) => {
      const openings: Opening[] = [];
      // The first opening of each series is not counted (it warms what the previous series left cold).
      for (let i = 0; i <= repeats; i++) {
        page = await open();
        const marks = await readMarks(page);
        const end = await snap();
        const otherCores =
          end.machine === null || start.machine === null
            ? null
            : Math.max(0, end.machine - start.machine - (end.ours - start.ours)) / 1000 / (end.t - start.t);
        if (i > 0) openings.push({ ...marks, otherCores });
        if (network === 'offline' && marks.online)
          throw new Error('the page says it is online while cut off');
        await sleep(700);
      }
      const s = series(network, mode, openings);
      log(
        `  ${network}, ${mode}: sidebar p50 ${s.sidebar.p50.toFixed(0)} ms, thread p50 ${s.thread.p50.toFixed(0)} ms` +
          (s.incomplete ? `, ${s.incomplete} incomplete` : ''),
      );
      all.push(s);
    };
    const reload = async () => {
      await begin();
      await page.reload({ waitUntil: 'commit' });
      return page;
    };
    const newPage = async () => {
      await page.close();
      const p = await context!.newPage();
      await begin();
      await p.goto('/', { waitUntil: 'commit' });
      return p;
    };
    const newBrowser = async () => {
      await context!.close();
      await begin();
      context = await launch();
      await context.addInitScript(NAME_SHIM);
      watch(context);
      await context.setOffline(offline);
      await context.addInitScript(probe, { lastText: LAST_TEXT, links: plans.length });
      const p = context.pages()[0] ?? (await context.newPage());
      watchPage(p);
      await p.goto('/', { waitUntil: 'commit' });
      return p;
    };

    offline = true;
    await context.setOffline(true);
    await measure('offline', 'reload', scale.repeats, reload);
    await measure('offline', 'new page', scale.repeats, newPage);
    if (scale.relaunches > 0) await measure('offline', 'new browser', scale.relaunches, newBrowser);
    offline = false;
    await context.setOffline(false);
    await measure('online', 'reload', scale.repeats, reload);
    await measure('online', 'new page', scale.repeats, newPage);

    return {
      discussions: plans.length,
      messagesEach: scale.messages,
      colleagues: colleagues.length,
      avgTextChars: textChars / 10_000,
      build,
      seedS,
      sync,
      leaks,
      series: all,
    };
  } finally {
    await context?.close().catch(() => {});
    await server?.stop();
    rmSync(profile, { recursive: true, force: true });
  }
}
