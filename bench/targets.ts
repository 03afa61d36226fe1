/**
 * The two servers under test, as the workloads need them: how to start one, its y-websocket
 * URL, and how to make a room for given members. Palabre's rooms are real discussions created
 * through POST /api/discussions by logged-in users; the reference relay's are just names.
 */
import { newId } from '@palabre/shared';
import { ServerChild } from './children.js';
import { createDiscussion, loginAll } from './clients.js';

export interface Member {
  userId: string;
  /** Session token (Palabre), passed as the `token` URL parameter; null for the reference. */
  token: string | null;
}

export interface Target {
  readonly name: string;
  /** Whether the server stores documents (and so can load them cold). */
  readonly stores: boolean;
  readonly members: Member[];
  start(): Promise<ServerChild>;
  serverUrl(child: ServerChild): string;
  /** A room whose members are `members` (two make a direct discussion, more a group). */
  room(child: ServerChild, members: Member[], title: string): Promise<string>;
}

const PASSWORD = 'bench-password';

export function referenceTarget(userCount: number): Target {
  return {
    name: 'Reference relay',
    stores: false,
    members: Array.from({ length: userCount }, () => ({ userId: newId(), token: null })),
    start: () => ServerChild.start('reference relay', 'reference-server.ts'),
    serverUrl: (child) => `ws://127.0.0.1:${child.port}`,
    room: async () => newId(),
  };
}

/**
 * Palabre on `dataDir`, with `userCount` users created through server.auth.createUser and logged
 * in through POST /api/auth/login. Sessions live in the database, so every later child started
 * on the same dataDir accepts the same tokens.
 */
export async function palabreTarget(
  dataDir: string,
  userCount: number,
  config: Record<string, unknown>,
): Promise<Target> {
  const start = palabreStarter(dataDir, config);
  const usernames = Array.from({ length: userCount }, (_, i) => `bench${String(i).padStart(4, '0')}`);
  const child = await start();
  let members: Member[];
  try {
    await child.request('createUsers', { usernames, password: PASSWORD }, 300_000);
    members = await loginAll(`http://127.0.0.1:${child.port}`, usernames, PASSWORD);
  } finally {
    await child.stop();
  }
  return {
    name: 'Palabre',
    stores: true,
    members,
    start,
    serverUrl: (c) => `ws://127.0.0.1:${c.port}/sync`,
    async room(c, roomMembers, title) {
      const [creator, ...others] = roomMembers as { userId: string; token: string }[];
      return createDiscussion(`http://127.0.0.1:${c.port}`, creator, others, title);
    },
  };
}

/** Starts a Palabre child on `dataDir` with `config` spread into its ServerConfig. */
export function palabreStarter(dataDir: string, config: Record<string, unknown>): () => Promise<ServerChild> {
  const env = { PALABRE_BENCH_DATA_DIR: dataDir, PALABRE_BENCH_CONFIG: JSON.stringify(config) };
  return () => ServerChild.start('palabre', 'palabre-server.ts', env);
}

/**
 * The same Palabre target (same data folder, users and sessions) started with another config,
 * under another name: the "feature on vs off" comparisons.
 */
export function palabreVariant(
  base: Target,
  name: string,
  dataDir: string,
  config: Record<string, unknown>,
): Target {
  return { ...base, name, start: palabreStarter(dataDir, config) };
}
