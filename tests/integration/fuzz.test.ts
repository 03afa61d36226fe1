/**
 * Property-based fuzzing of the sync endpoint (fast-check) against a real server over real
 * sockets: random frames, truncated and mutated valid y-websocket frames, and mutated valid
 * Yjs updates, sent by a member and by a reader. Properties: the server never crashes, never
 * stores or relays an update that breaks a rule, and a witness in the same discussion keeps
 * syncing with nothing lost.
 *
 * CI runs PALABRE_FUZZ_RUNS cases (default 2000). The long run (docs/SECURITY.md):
 *   PALABRE_FUZZ_RUNS=1000000 PALABRE_FUZZ_MINUTES=100 PALABRE_FUZZ_PROGRESS=fuzz.log \
 *     pnpm exec vitest run tests/integration/fuzz.test.ts
 * stops at the time limit if the runs do not fit, and prints how many ran, the time, the CPU
 * per case and the seed. PALABRE_FUZZ_WORKERS attackers (default 4) fuzz at once, each its own
 * fast-check run seeded PALABRE_FUZZ_SEED + k; the same seed and worker count replay the same
 * frames. Each case still waits until the server handled its frame; a violation the witness
 * sees names the frames in flight.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addMessage,
  isMessageRecord,
  membersMap,
  messagesMap,
  metaMap,
  pinsMap,
  readsMap,
  Root,
} from '@palabre/shared';
import {
  connect,
  createDiscussion,
  createUser,
  removeDataDir,
  say,
  startTestServer,
  texts,
  until,
  waitForSync,
  type TestServer,
  type TestUser,
} from './helpers.js';
import { FuzzClient } from './fuzz-client.js';

const RUNS = Number(process.env.PALABRE_FUZZ_RUNS ?? 2000);
const MINUTES = Number(process.env.PALABRE_FUZZ_MINUTES ?? 0);
const TIME_LIMIT_MS = MINUTES > 0 ? MINUTES * 60_000 : undefined;
const WORKERS = Math.max(1, Number(process.env.PALABRE_FUZZ_WORKERS ?? 4));
const SEED = process.env.PALABRE_FUZZ_SEED
  ? Number(process.env.PALABRE_FUZZ_SEED)
  : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
/** A file the long run appends its progress to, every 10,000 cases (vitest shows output at the end). */
const PROGRESS = process.env.PALABRE_FUZZ_PROGRESS;
const replay = `PALABRE_FUZZ_SEED=${SEED} PALABRE_FUZZ_WORKERS=${WORKERS} PALABRE_FUZZ_RUNS=${RUNS}`;
/** Violations seen by the witness, each with the frames that were in flight. */
const suspects: string[] = [];
let currentSuspects: () => string[] = () => [];

let server: TestServer;
let alice: TestUser; // owner, writes legitimately during the run
let bob: TestUser; // the witness
let mallory: TestUser; // member, fuzzes
let rita: TestUser; // reader, fuzzes
let discussionId: string;
let base: Y.Doc; // the document as the fuzzers first saw it

beforeAll(async () => {
  // Flood limits off: this test is about content, and sends as fast as the server answers.
  server = await startTestServer({
    limits: {
      syncFramesPerSecond: 1e9,
      syncFramesBurst: 1e9,
      syncBytesPerSecond: 1e12,
      syncBytesBurst: 1e12,
    },
  });
  alice = await createUser(server, 'Alice');
  bob = await createUser(server, 'Bob');
  mallory = await createUser(server, 'Mallory');
  rita = await createUser(server, 'Rita');
  discussionId = (await createDiscussion(server.url, alice, [bob, mallory, rita], 'Fuzz')).id;
  await server.members.setRole(
    (await server.storage.directory.userById(alice.user.id))!,
    discussionId,
    rita.user.id,
    'reader',
  );
  const a = connect(server.url, discussionId, alice.token);
  await waitForSync(a.provider);
  say(a.doc, alice, 'Bonjour à tous');
  say(a.doc, alice, 'Ordre du jour en pièce jointe');
  await until(() => texts(a.doc).length === 2);
  const m = connect(server.url, discussionId, mallory.token);
  await waitForSync(m.provider);
  await until(() => texts(m.doc).length === 2);
  base = new Y.Doc();
  Y.applyUpdate(base, Y.encodeStateAsUpdate(m.doc));
  m.provider.destroy();
  a.provider.destroy();
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (server) removeDataDir(server.dataDir);
});

/** An update made on a copy of the base document, as some client would send it. */
function updateFrom(change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

function syncFrame(subtype: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, subtype);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

function awarenessFrame(clientId: number, clock: number, state: string): Uint8Array {
  const u = encoding.createEncoder();
  encoding.writeVarUint(u, 1);
  encoding.writeVarUint(u, clientId);
  encoding.writeVarUint(u, clock);
  encoding.writeVarString(u, state);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(u));
  return encoding.toUint8Array(e);
}

/** Valid Yjs updates, lawful and not, that the mutations start from. */
function seedUpdates(): Uint8Array[] {
  const firstAlice = [...messagesMap(base).values()].find((m) => m.author === alice.user.id)!;
  return [
    updateFrom((d) => addMessage(d, { author: mallory.user.id, text: 'message légitime', now: Date.now() })),
    updateFrom((d) => addMessage(d, { author: alice.user.id, text: 'signé Alice (faux)', now: Date.now() })),
    updateFrom((d) => addMessage(d, { author: rita.user.id, text: 'lectrice qui écrit', now: Date.now() })),
    updateFrom((d) => messagesMap(d).set(firstAlice.id, { ...firstAlice, text: 'réécrit' })),
    updateFrom((d) => messagesMap(d).delete(firstAlice.id)),
    updateFrom((d) => metaMap(d).set('title', 'Pris par Mallory')),
    updateFrom((d) => membersMap(d).set(mallory.user.id, { role: 'owner', addedAt: 1 })),
    updateFrom((d) => readsMap(d).set(alice.user.id, { '1': 99 })),
    updateFrom((d) => readsMap(d).set(mallory.user.id, { [String(d.clientID)]: 3 })),
    updateFrom((d) => pinsMap(d).set(firstAlice.id, { by: alice.user.id, at: 1 })),
    updateFrom((d) => pinsMap(d).set(firstAlice.id, { by: mallory.user.id, at: 1 })),
    updateFrom((d) => d.getMap('surprise').set('x', 1)),
    updateFrom((d) => messagesMap(d).set('nested', new Y.Map() as never)),
    updateFrom((d) => d.getText(Root.messages).insert(0, 'type confusion')),
  ];
}

interface Mutation {
  kind: 'flip' | 'set' | 'insert' | 'delete';
  at: number;
  value: number;
}

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const m of mutations) {
    if (out.length === 0 && m.kind !== 'insert') continue;
    const at = m.at % Math.max(1, out.length + (m.kind === 'insert' ? 1 : 0));
    if (m.kind === 'flip') out[at] ^= 1 << (m.value % 8);
    else if (m.kind === 'set') out[at] = m.value;
    else if (m.kind === 'insert') out.splice(at, 0, m.value);
    else out = out.slice(0, at).concat(out.slice(at + 1));
  }
  return Uint8Array.from(out);
}

const mutationArb = fc.array(
  fc.record({
    kind: fc.constantFrom<Mutation['kind']>('flip', 'set', 'insert', 'delete'),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 6 },
);

/** What no stored or relayed state may ever contain, checked on the witness as changes arrive and at the end. */
function violations(doc: Y.Doc, initial: { meta: unknown; members: unknown }, legit: Set<string>): string[] {
  const out: string[] = [];
  const roots = new Set<string>(Object.values(Root));
  for (const name of doc.share.keys()) if (!roots.has(name)) out.push(`unknown root ${name}`);
  if (JSON.stringify(metaMap(doc).toJSON()) !== JSON.stringify(initial.meta)) out.push('meta changed');
  if (JSON.stringify(membersMap(doc).toJSON()) !== JSON.stringify(initial.members))
    out.push('members changed');
  const writers = new Set([alice.user.id, bob.user.id, mallory.user.id]);
  for (const [key, m] of messagesMap(doc).entries()) {
    if (!isMessageRecord(m) || m.id !== key) out.push(`malformed message ${key}`);
    else if (!writers.has(m.author)) out.push(`message by non-writer ${m.author}`);
    else if (m.author !== mallory.user.id && !legit.has(m.text)) out.push(`forged message "${m.text}"`);
  }
  for (const [key, p] of pinsMap(doc).entries())
    if (typeof p !== 'object' || p === null || !writers.has((p as { by: string }).by))
      out.push(`bad pin ${key}`);
  for (const key of readsMap(doc).keys())
    if (key !== mallory.user.id && key !== rita.user.id) out.push(`cursor written for ${key}`);
  return out;
}

it(
  'survives random, truncated and mutated frames and updates: nothing unlawful stored or relayed, the witness keeps syncing',
  async () => {
    const initial = { meta: metaMap(base).toJSON(), members: membersMap(base).toJSON() };
    const legit = new Set(texts(base));
    const witness = connect(server.url, discussionId, bob.token);
    const writer = connect(server.url, discussionId, alice.token);
    await Promise.all([waitForSync(witness.provider), waitForSync(writer.provider)]);
    // The server holds both awareness states (each saw the other's through it): every greeting
    // then carries them, which the attackers' clients rely on to tell greetings from answers.
    witness.provider.awareness.setLocalStateField('user', { name: 'Bob' });
    writer.provider.awareness.setLocalStateField('user', { name: 'Alice' });
    await until(
      () =>
        witness.provider.awareness.getStates().has(writer.provider.awareness.clientID) &&
        writer.provider.awareness.getStates().has(witness.provider.awareness.clientID),
      10_000,
      'awareness states on the server',
    );
    const seen: string[] = [];
    // Every change relayed to the witness is checked as it arrives, not only the final state;
    // a violation names the frames in flight (the culprit is among them) for replaying.
    witness.doc.on('afterTransaction', () => {
      // A broken state stays in the document: only what was not seen yet counts against a case.
      const found = violations(witness.doc, initial, legit).filter((v) => !seen.includes(v));
      if (found.length === 0) return;
      seen.push(...found);
      suspects.push(`${found.join(', ')} after one of:\n  ${currentSuspects().join('\n  ')}`);
    });

    const seeds = seedUpdates();
    const validFrames = [
      ...seeds.map((u) => syncFrame(2, u)),
      ...seeds.slice(0, 3).map((u) => syncFrame(1, u)),
      syncFrame(0, Y.encodeStateVector(base)),
      awarenessFrame(777, 1, JSON.stringify({ user: { name: 'Mallory' } })),
      Uint8Array.of(3),
    ];
    const frameArb = fc.oneof(
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...validFrames), fc.nat())
          .map(([f, cut]) => f.slice(0, cut % Math.max(1, f.length))),
      },
      {
        weight: 3,
        arbitrary: fc.tuple(fc.constantFrom(...validFrames), mutationArb).map(([f, ms]) => mutate(f, ms)),
      },
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom(...seeds), mutationArb, fc.constantFrom(1, 2))
          .map(([u, ms, sub]) => syncFrame(sub, mutate(u, ms))),
      },
      { weight: 1, arbitrary: fc.constantFrom(...validFrames) },
    );

    // Several attackers at once, each its own fast-check run (seed, seed + 1, ...) on its own
    // connections: a case is one frame, sent as a member or as a reader, on a free connection.
    const { hostname: host, port } = new URL(server.url);
    const attacker = (token: string) =>
      new FuzzClient({
        host,
        port: Number(port),
        path: `/sync/${discussionId}`,
        token,
        answerIds: [witness.provider.awareness.clientID, writer.provider.awareness.clientID],
      });
    const workers = Array.from({ length: WORKERS }, (_, k) => ({
      seed: SEED + k,
      runs: Math.floor(RUNS / WORKERS) + (k < RUNS % WORKERS ? 1 : 0),
      clients: [attacker(mallory.token), attacker(rita.token)],
      /** The frames this attacker sent last, named if a violation shows up. */
      recent: [] as string[],
    }));
    currentSuspects = () => workers.flatMap((w) => w.recent.map((f) => `seed ${w.seed}: ${f}`));
    let cases = 0;
    let written = 0;
    const started = Date.now();
    const cpu = process.cpuUsage();
    const results = await Promise.all(
      workers.map((w) =>
        fc.check(
          fc.asyncProperty(frameArb, fc.boolean(), async (frame, asReader) => {
            const before = seen.length;
            w.recent = [
              ...w.recent.slice(-1),
              `${asReader ? 'reader' : 'member'} ${Buffer.from(frame).toString('hex')}`,
            ];
            await w.clients[asReader ? 1 : 0].send(frame);
            if (++cases % 250 === 0) {
              // The owner keeps writing through it all.
              const text = `message ${++written} d'Alice`;
              legit.add(text);
              say(writer.doc, alice, text);
            }
            if (PROGRESS && cases % 10_000 === 0)
              appendFileSync(
                PROGRESS,
                `${new Date().toISOString()} ${cases} cases, ${(cases / ((Date.now() - started) / 1000)).toFixed(0)}/s, ${seen.length} violations\n`,
              );
            return seen.length === before;
          }),
          {
            numRuns: w.runs,
            interruptAfterTimeLimit: TIME_LIMIT_MS,
            markInterruptAsFailure: false,
            seed: w.seed,
          },
        ),
      ),
    );
    const all = workers.flatMap((w) => w.clients);
    for (const c of all) c.close();
    const seconds = (Date.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    const ran = results.reduce((n, d) => n + d.numRuns, 0);
    const sum = (f: (c: FuzzClient) => number) => all.reduce((n, c) => n + f(c), 0);
    console.log(
      `fuzz: ${ran} cases in ${seconds.toFixed(1)} s (${(ran / seconds).toFixed(0)}/s, ${((user + system) / 1000 / ran).toFixed(2)} ms of CPU each; seed ${SEED}, ${WORKERS} attackers), ` +
        `${sum((c) => c.closes)} connections closed by the server, ${sum((c) => c.stalls)} frames unanswered after 10 s`,
    );
    expect(all.flatMap((c) => c.refusals)).toEqual([]);
    expect(
      results.filter((d) => d.failed).map((d) => `${fc.defaultReportMessage(d)}\nreplay: ${replay}`),
    ).toEqual([]);
    expect(suspects).toEqual([]);
    expect(seen).toEqual([]);

    // Nothing lost: the witness has every message Alice wrote, and so does a fresh reader of
    // what the server stored.
    const aliceTexts = [...legit];
    await until(
      () => aliceTexts.every((t) => texts(witness.doc).includes(t)),
      20_000,
      'the witness caught up',
    );
    const fresh = connect(server.url, discussionId, bob.token);
    await waitForSync(fresh.provider);
    await until(() => aliceTexts.every((t) => texts(fresh.doc).includes(t)), 20_000, 'stored messages');
    expect(violations(fresh.doc, initial, legit)).toEqual([]);
    expect(violations(witness.doc, initial, legit)).toEqual([]);
    // Still alive (liveness: this test server has no admin account, so it is never "ready").
    expect((await fetch(`${server.url}/api/health/live`)).status).toBe(200);
    for (const c of [witness, writer, fresh]) c.provider.destroy();
  },
  (TIME_LIMIT_MS ?? 50_000) + 120_000,
);
