/**
 * A TCP port free on 127.0.0.1 right now, for a child server that must be told its port before it
 * starts (the e2e fixture, the three-node tests, the start benchmark).
 */
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
