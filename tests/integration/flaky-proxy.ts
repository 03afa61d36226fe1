/**
 * A fault-injecting TCP proxy on 127.0.0.1: it delays every chunk by a random time (order kept
 * per direction) and, while flapping, cuts random connections at random intervals. Bounded:
 * it only ever talks to the one upstream port it was given, and stops flapping when told.
 */
import net from 'node:net';

export interface FlakyProxy {
  port: number;
  /** Cut every open connection now (both sides see a reset). */
  cutAll(): void;
  startFlapping(options?: { minMs?: number; maxMs?: number }): void;
  stopFlapping(): void;
  setUpstream(port: number): void;
  cuts: number;
  close(): Promise<void>;
}

export async function startFlakyProxy(upstreamPort: number, maxDelayMs = 30): Promise<FlakyProxy> {
  let upstream = upstreamPort;
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  let flapTimer: NodeJS.Timeout | null = null;
  let cuts = 0;

  /** Forward chunks with a random delay, never reordering them. */
  const delayedPipe = (from: net.Socket, to: net.Socket) => {
    let readyAt = 0;
    from.on('data', (chunk: Buffer) => {
      const at = Math.max(Date.now() + Math.random() * maxDelayMs, readyAt);
      readyAt = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
  };

  const server = net.createServer((client) => {
    const serverSide = net.connect(upstream, '127.0.0.1');
    const pair = { client, server: serverSide };
    pairs.add(pair);
    const teardown = () => {
      pairs.delete(pair);
      client.destroy();
      serverSide.destroy();
    };
    client.on('error', teardown);
    serverSide.on('error', teardown);
    client.on('close', teardown);
    serverSide.on('close', teardown);
    delayedPipe(client, serverSide);
    delayedPipe(serverSide, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;

  const proxy: FlakyProxy = {
    port,
    cuts: 0,
    cutAll() {
      for (const p of [...pairs]) {
        p.client.resetAndDestroy();
        p.server.destroy();
      }
    },
    startFlapping({ minMs = 100, maxMs = 700 } = {}) {
      const tick = () => {
        const victims = [...pairs].filter(() => Math.random() < 0.5);
        for (const p of victims) {
          p.client.resetAndDestroy();
          p.server.destroy();
          cuts++;
          proxy.cuts = cuts;
        }
        flapTimer = setTimeout(tick, minMs + Math.random() * (maxMs - minMs));
      };
      flapTimer = setTimeout(tick, minMs);
    },
    stopFlapping() {
      if (flapTimer) clearTimeout(flapTimer);
      flapTimer = null;
    },
    setUpstream(p: number) {
      upstream = p;
    },
    async close() {
      proxy.stopFlapping();
      proxy.cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
