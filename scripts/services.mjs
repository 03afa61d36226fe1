// `npm test`: the PostgreSQL and Redis that the multi-node tests need (TEST_DATABASE_URL,
// TEST_REDIS_URL, or the local default ports), and the haproxy the load-balancer test runs. When
// they are missing and we are root, they are installed from Debian's packages (PostgreSQL and
// Redis started; no haproxy service left running: the test starts its own); otherwise the tests
// that need them are left out (PALABRE_NO_POSTGRES / PALABRE_NO_REDIS / PALABRE_NO_HAPROXY) and
// the reason is printed.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Does something accept TCP connections at this URL's host and port? */
function answers(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(url, port, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await answers(url, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const sh = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: 'inherit' }).status === 0;
const has = (cmd) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
};

let aptUpdated = false;
function aptInstall(packages) {
  if (!aptUpdated) sh('apt-get update -qq');
  aptUpdated = true;
  return sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages}`);
}

async function ensurePostgres(env, root) {
  const url = env.TEST_DATABASE_URL || DEFAULT_DATABASE_URL;
  if (await answers(url, 5432)) return null;
  if (env.TEST_DATABASE_URL) return `TEST_DATABASE_URL (${url}) does not answer`;
  if (!root) return 'no PostgreSQL on 127.0.0.1:5432 and not root to install it (apt-get install postgresql)';
  if (!existsSync('/etc/postgresql') || readdirSync('/etc/postgresql').length === 0) {
    console.log('Installing PostgreSQL from Debian’s packages for the multi-node tests…');
    if (!aptInstall('postgresql')) return 'apt-get install postgresql failed';
  }
  const version = readdirSync('/etc/postgresql')[0];
  sh(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`);
  if (!(await waitFor(url, 5432))) return 'PostgreSQL was installed but does not answer on 5432';
  // Debian's cluster asks for a password over TCP: give the tests one.
  sh(`runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'postgres'"`);
  env.TEST_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  return null;
}

async function ensureRedis(env, root) {
  const url = env.TEST_REDIS_URL || DEFAULT_REDIS_URL;
  if (await answers(url, 6379)) {
    if (!has('redis-server') && root) aptInstall('redis-server'); // the Redis-restart test runs its own
    return has('redis-server') ? null : 'redis-server is not installed (the Redis-restart test runs its own)';
  }
  if (env.TEST_REDIS_URL) return `TEST_REDIS_URL (${url}) does not answer`;
  if (!root) return 'no Redis on 127.0.0.1:6379 and not root to install it (apt-get install redis-server)';
  if (!has('redis-server')) {
    console.log('Installing Redis from Debian’s packages for the multi-node tests…');
    if (!aptInstall('redis-server')) return 'apt-get install redis-server failed';
  }
  sh('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');
  return (await waitFor(url, 6379)) ? null : 'Redis was installed but does not answer on 6379';
}

/** The haproxy binary: on the PATH, or where Debian puts it (/usr/sbin, not on every user's PATH). */
const haproxyPath = () =>
  has('haproxy') ? 'haproxy' : existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : null;

async function ensureHaproxy(env, root) {
  if (!haproxyPath()) {
    if (!root) return 'haproxy is not installed and not root to install it (apt-get install haproxy)';
    console.log('Installing HAProxy from Debian’s packages for the load-balancer test…');
    if (!aptInstall('haproxy')) return 'apt-get install haproxy failed';
    // The package may start a system-wide haproxy: stopped and disabled, the test runs its own.
    sh('(systemctl disable --now haproxy || service haproxy stop) >/dev/null 2>&1 || true');
    if (!haproxyPath()) return 'haproxy was installed but cannot be found';
  }
  env.PALABRE_HAPROXY = haproxyPath();
  return null;
}

/** Make PostgreSQL, Redis and haproxy available to the tests, or say why not; returns the tests' environment. */
export async function ensureServices(env = { ...process.env }) {
  const root = process.getuid?.() === 0;
  const pg = await ensurePostgres(env, root);
  const redis = await ensureRedis(env, root);
  const haproxy = await ensureHaproxy(env, root);
  if (pg) {
    env.PALABRE_NO_POSTGRES = '1';
    console.warn(`\n⚠ PostgreSQL tests NOT RUN: ${pg}.\n`);
  }
  if (redis) {
    env.PALABRE_NO_REDIS = '1';
    console.warn(`\n⚠ Redis (multi-node) tests NOT RUN: ${redis}.\n`);
  }
  if (haproxy) {
    env.PALABRE_NO_HAPROXY = '1';
    console.warn(`\n⚠ Load-balancer (HAProxy) test NOT RUN: ${haproxy}.\n`);
  }
  return env;
}
