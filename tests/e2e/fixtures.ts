/**
 * End-to-end fixtures: one real Palabre server per worker (a child process over a fresh SQLite
 * folder), data set up through the REST API as the admin, and signed-in browser pages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { DiscussionSummary, LoginResult, PublicUser } from '@palabre/shared';
import { addMessage, type MessageRecord } from '@palabre/shared/discussion/index';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { freePort } from '../free-port.js';
import { openDiscussion } from './ui.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export type MemberRole = 'owner' | 'moderator' | 'member' | 'reader';

export interface TestUser {
  id: string;
  username: string;
  displayName: string;
  password: string;
}

/** A person at their browser: the account and a page signed in as them. */
export interface Colleague extends TestUser {
  page: Page;
}

/** Strip accents and anything but letters: « Élodie » -> « elodie ». */
const slug = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/**
 * The real server as a child process: the compiled `sync-server/dist/main.js`, what `npm start`
 * runs (so a signal reaches the server itself, and the bundle users get is the one tested),
 * restartable on the same port and data folder.
 */
export class PalabreServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'palabre-e2e-'));
  readonly adminPassword = randomBytes(12).toString('base64url');
  /** Everything the server printed, for the report of a failed test. */
  log = '';
  /** Exits nobody asked for (an uncaught error in the server, say). */
  crashes = 0;
  #stopping = false;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #adminToken: string | null = null;
  #tokens = new Map<string, string>();
  #displayNames = new Set<string>();
  #counter = 0;

  private constructor(readonly port: number) {}

  static async launch(): Promise<PalabreServer> {
    const server = new PalabreServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Start the server (same port, same data folder) and wait until /api/health answers. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('The Palabre server is already running');
    // The compiled server, as `npm start` runs it (`pnpm build` makes it, with the web app it serves).
    const child = spawn(process.execPath, ['sync-server/dist/main.js'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: this.adminPassword,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.#exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.log += `\n[server exited: ${signal ?? code}]\n`;
        if (!this.#stopping) this.crashes++;
        this.#stopping = false;
        if (this.#child === child) this.#child = null;
        done();
      }),
    );

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (this.#child !== child) throw new Error(`The Palabre server exited on start:\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/api/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`The Palabre server did not answer /api/health in time:\n${this.log}`);
      }
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }

  /** A graceful stop (SIGTERM), as a deployment would do; resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
    child.kill('SIGTERM');
    const timedOut = Symbol('timeout');
    const outcome = await Promise.race([
      this.#exited,
      new Promise((done) => setTimeout(() => done(timedOut), STOP_TIMEOUT_MS)),
    ]);
    if (outcome === timedOut) {
      await this.kill();
      throw new Error(`The Palabre server ignored SIGTERM for ${STOP_TIMEOUT_MS} ms`);
    }
  }

  /** A crash (SIGKILL): nothing gets a chance to flush. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
    child.kill('SIGKILL');
    await this.#exited;
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => this.kill());
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  // --- REST helpers ------------------------------------------------------------------------

  async request<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async login(username: string, password: string): Promise<string> {
    const { token } = await this.request<LoginResult>('POST', '/api/auth/login', null, {
      username,
      password,
    });
    return token;
  }

  async adminToken(): Promise<string> {
    this.#adminToken ??= await this.login('admin', this.adminPassword);
    return this.#adminToken;
  }

  async tokenOf(user: TestUser): Promise<string> {
    let token = this.#tokens.get(user.id);
    if (!token) {
      token = await this.login(user.username, user.password);
      this.#tokens.set(user.id, token);
    }
    return token;
  }

  /**
   * A new account, created by the admin. The username is the corporate « initial + last name »
   * (« François Dupont » -> « fdupont.3k9x2 »), unique per call; the display name is kept as
   * given unless an earlier test of this worker used it, in which case a number is added, so
   * a test can always pick a person by their exact name.
   */
  async createUser(displayName: string, role: 'admin' | 'user' = 'user'): Promise<TestUser> {
    let shown = displayName;
    for (let n = 2; this.#displayNames.has(shown); n++) shown = `${displayName} ${n}`;
    this.#displayNames.add(shown);
    const [first = '', ...rest] = displayName.split(/\s+/);
    const base = `${slug(first).slice(0, 1)}${slug(rest.join('')) || slug(first)}`.slice(0, 30);
    const username = `${base}.${(++this.#counter).toString(36)}${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const { user } = await this.request<{ user: PublicUser }>(
      'POST',
      '/api/admin/users',
      await this.adminToken(),
      { username, displayName: shown, password, role },
    );
    return { id: user.id, username: user.username, displayName: user.displayName, password };
  }

  /** Several accounts at once, in this order (see createUser). */
  async createUsers<const Names extends readonly string[]>(
    ...displayNames: Names
  ): Promise<{ -readonly [K in keyof Names]: TestUser }> {
    const users: TestUser[] = [];
    for (const name of displayNames) users.push(await this.createUser(name));
    return users as { -readonly [K in keyof Names]: TestUser };
  }

  /**
   * New accounts (see createUsers) that already share a discussion, started by the first with the
   * others; a group when titled.
   */
  async createUsersInDiscussion<const Names extends readonly string[]>(
    displayNames: Names,
    title?: string,
  ): Promise<{ -readonly [K in keyof Names]: TestUser }> {
    const users = await this.createUsers(...displayNames);
    const [owner, ...others] = users as TestUser[];
    const memberIds = others.map((u) => u.id);
    await this.createDiscussion(owner, memberIds, title);
    return users;
  }

  /** A discussion started by `asUser` (its owner) with these other members. */
  async createDiscussion(asUser: TestUser, memberIds: string[], title?: string): Promise<DiscussionSummary> {
    return this.request<DiscussionSummary>('POST', '/api/discussions', await this.tokenOf(asUser), {
      memberIds,
      title,
    });
  }

  /** Change a member's role in a discussion, as the admin. */
  async setRole(discussionId: string, userId: string, role: MemberRole): Promise<void> {
    await this.request(
      'PATCH',
      `/api/admin/discussions/${discussionId}/members/${userId}`,
      await this.adminToken(),
      { role },
    );
  }

  /** Remove a member from a discussion, as the admin. */
  async removeMember(discussionId: string, userId: string): Promise<void> {
    await this.request(
      'DELETE',
      `/api/admin/discussions/${discussionId}/members/${userId}`,
      await this.adminToken(),
    );
  }

  /** What the server says about a discussion, as one of its members sees it. */
  async discussion(asUser: TestUser, id: string): Promise<DiscussionSummary> {
    return this.request<DiscussionSummary>('GET', `/api/discussions/${id}`, await this.tokenOf(asUser));
  }

  /**
   * Messages written by `asUser` through a stock Yjs client (a long history in a second, one
   * minute apart, ending now, or from `startAt`: a past time for retention tests), resolved once
   * the server stored the last one.
   */
  async postMessages(
    asUser: TestUser,
    discussionId: string,
    texts: string[],
    options: { startAt?: number } = {},
  ): Promise<MessageRecord[]> {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${this.url.replace(/^http/, 'ws')}/sync`, discussionId, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      params: { token: await this.tokenOf(asUser) },
    });
    try {
      await new Promise<void>((done) => (provider.synced ? done() : provider.once('sync', () => done())));
      const start = options.startAt ?? Date.now() - texts.length * 60_000;
      const records: MessageRecord[] = [];
      doc.transact(() => {
        texts.forEach((text, i) =>
          records.push(addMessage(doc, { author: asUser.id, text, now: start + i * 60_000 })),
        );
      });
      const last = texts.at(-1);
      await expect
        .poll(async () => (await this.discussion(asUser, discussionId)).lastMessage?.preview, {
          message: 'the server stored the messages',
        })
        .toBe(last);
      return records;
    } finally {
      provider.destroy();
      doc.destroy();
    }
  }

  async discussionsOf(asUser: TestUser): Promise<DiscussionSummary[]> {
    const { discussions } = await this.request<{ discussions: DiscussionSummary[] }>(
      'GET',
      '/api/discussions',
      await this.tokenOf(asUser),
    );
    return discussions;
  }
}

/** Sign in through the login form and wait for the discussions screen. */
export async function loginAs(page: Page, user: TestUser): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Identifiant').fill(user.username);
  await page.getByLabel('Mot de passe').fill(user.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/discussions/);
}

interface WorkerFixtures {
  palabre: PalabreServer;
}

interface TestFixtures {
  /**
   * A page in a browser context of its own (own cookies, own IndexedDB), signed in as `user`;
   * with `title`, that discussion opened from the sidebar.
   */
  pageAs: (user: TestUser, title?: string) => Promise<Page>;
  /**
   * New colleagues, in this order: the first starts a discussion with the others (a group when
   * titled); each signs in on a page of their own, then each opens it (its id:
   * `openDiscussionId` in ui.ts).
   */
  chat: (names: string[], title?: string) => Promise<Colleague[]>;
  /** Restarts the server after a test that left it stopped, and attaches its log on failure. */
  serverGuard: void;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  palabre: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring pattern
    async ({}, use) => {
      const server = await PalabreServer.launch();
      await use(server);
      await server.dispose();
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  baseURL: async ({ palabre }, use) => use(palabre.url),

  serverGuard: [
    async ({ palabre }, use, testInfo) => {
      const logStart = palabre.log.length;
      const crashes = palabre.crashes;
      if (!palabre.running) await palabre.start();
      await use();
      const crashed = palabre.crashes > crashes;
      if (crashed || testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server.log', { body: palabre.log.slice(logStart), contentType: 'text/plain' });
      }
      if (!palabre.running) await palabre.start();
      if (crashed) throw new Error('The Palabre server exited by itself during this test: see server.log');
    },
    { auto: true },
  ],

  pageAs: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (user, title) => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await loginAs(page, user);
      if (title !== undefined) await openDiscussion(page, title);
      return page;
    });
    for (const context of contexts) await context.close();
  },

  chat: async ({ palabre, pageAs }, use) => {
    await use(async (names, title) => {
      const users = await palabre.createUsersInDiscussion(names, title);
      const people: Colleague[] = [];
      for (const user of users) people.push({ ...user, page: await pageAs(user) });
      for (const { page } of people) {
        // A direct discussion is listed under the other person's name.
        const shown = title ?? people.find((p) => p.page !== page)!.displayName;
        await openDiscussion(page, shown);
      }
      return people;
    });
  },
});

export { expect };
