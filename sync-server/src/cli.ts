/**
 * `palabre`, the admin's command (`npm run palabre -- <command>`; compiled to sync-server/dist/cli.js):
 *   backup --out FILE [--data-dir DIR] [--force]   a consistent backup while the server runs
 *   verify FILE                                     check a backup's integrity
 *   restore FILE --data-dir DIR [--force]           rebuild a data folder from a backup
 * `--json` prints one JSON object instead of sentences. Exit 0 on success, 1 on failure, 2 on a
 * usage error; failures print `error [<code>]: <message>` on stderr.
 */
import { getPriority, setPriority } from 'node:os';
import { createBackup } from './backup/create.js';
import { BackupError, USAGE_CODES } from './backup/errors.js';
import { restoreBackup, verifyBackup } from './backup/restore.js';
import { VERSION } from './version.js';

const USAGE = `Usage: npm run palabre -- <command> [options]

Commands:
  backup --out FILE [--data-dir DIR] [--force]
      Write a consistent backup of the data folder (DIR, default $DATA_DIR or ./data) to FILE,
      while the server runs. --force replaces an existing FILE.
  verify FILE
      Check a backup: every part's SHA-256, SQLite's integrity check, every file present.
  restore FILE --data-dir DIR [--force]
      Rebuild the data folder DIR from a verified backup. DIR must be empty or absent;
      --force moves a non-empty DIR aside to DIR.replaced-<time>. Stop the server first.
  migrate-to-postgres --data-dir DIR --database-url URL
      Copy a SQLite data folder (users, sessions, discussions, messages, roles, audit log,
      files) into an empty PostgreSQL database, for several nodes. Stop the server first.
  help
      This text.

Options: --json prints the result as one JSON object.
`;

interface Parsed {
  command: string | undefined;
  positional: string[];
  options: Map<string, string | true>;
}

const VALUED = new Set(['--out', '--data-dir', '--database-url']);
const FLAGS = new Set(['--force', '--json']);

function parse(argv: string[]): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
      if (VALUED.has(name!)) {
        const value = inline ?? argv[++i];
        if (value === undefined || value === '' || value.startsWith('--'))
          throw new BackupError('missing_argument', `${name} needs a value`);
        options.set(name!, value);
      } else if (FLAGS.has(name!) && inline === undefined) options.set(name!, true);
      else throw new BackupError('unknown_option', `unknown option ${arg}`);
    } else positional.push(arg);
  }
  return { command: positional.shift(), positional, options };
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function onePositional(p: Parsed, what: string): string {
  if (p.positional.length === 0) throw new BackupError('missing_argument', `${p.command} needs ${what}`);
  if (p.positional.length > 1)
    throw new BackupError('unknown_option', `unexpected argument ${p.positional[1]}`);
  return p.positional[0]!;
}

async function run(p: Parsed, say: (line: string) => void): Promise<unknown> {
  switch (p.command) {
    case 'backup': {
      if (p.positional.length > 0)
        throw new BackupError('unknown_option', `unexpected argument ${p.positional[0]}`);
      const out = p.options.get('--out');
      if (typeof out !== 'string') throw new BackupError('missing_argument', 'backup needs --out FILE');
      const dataDir = (p.options.get('--data-dir') as string | undefined) ?? process.env.DATA_DIR ?? './data';
      if (process.env.DATABASE_URL)
        throw new BackupError(
          'unsupported_storage',
          'DATABASE_URL is set: this deployment keeps its data in PostgreSQL, which `palabre backup` does not copy; back it up with pg_dump (docs/OPERATIONS.md)',
        );
      // The server that runs beside it comes first for the CPU: ten steps nicer than we were
      // started (relative, so a backup started under nice never outranks the server).
      try {
        setPriority(Math.min(19, getPriority() + 10));
      } catch {
        // not allowed: run at the same priority
      }
      const started = performance.now();
      const r = await createBackup({
        dataDir,
        out,
        force: p.options.has('--force'),
        palabreVersion: VERSION,
      });
      const ms = Math.round(performance.now() - started);
      const blobs = r.manifest.parts.filter((x) => x.kind === 'blob').length;
      say(`backup written: ${r.file}`);
      say(`  ${mib(r.size)}, ${r.manifest.parts.length - blobs} database(s), ${blobs} file(s), in ${ms} ms`);
      say(`  snapshot taken at ${r.manifest.createdAt}`);
      say(`  sha256 ${r.sha256}`);
      return {
        ok: true,
        command: 'backup',
        file: r.file,
        size: r.size,
        sha256: r.sha256,
        ms,
        createdAt: r.manifest.createdAt,
        parts: r.manifest.parts.length,
        blobs,
        counts: r.manifest.counts,
      };
    }
    case 'verify': {
      const file = onePositional(p, 'the backup FILE to check');
      const r = await verifyBackup(file);
      say(`backup OK: ${file}`);
      say(`  taken at ${r.manifest.createdAt} by Palabre ${r.manifest.palabreVersion}`);
      say(
        `  ${r.databases} database(s) pass SQLite's integrity check; ${r.blobs} file(s); every SHA-256 matches`,
      );
      return {
        ok: true,
        command: 'verify',
        file,
        createdAt: r.manifest.createdAt,
        databases: r.databases,
        blobs: r.blobs,
        bytes: r.bytes,
        counts: r.manifest.counts,
      };
    }
    case 'restore': {
      const file = onePositional(p, 'the backup FILE to restore');
      const dataDir = p.options.get('--data-dir');
      if (typeof dataDir !== 'string')
        throw new BackupError('missing_argument', 'restore needs --data-dir DIR');
      const r = await restoreBackup(file, dataDir, { force: p.options.has('--force') });
      say(`restored into ${r.dataDir} (backup taken at ${r.manifest.createdAt}, verified)`);
      if (r.replaced) say(`  the folder that was there is now ${r.replaced}`);
      say(`  start the server with DATA_DIR=${r.dataDir}`);
      return {
        ok: true,
        command: 'restore',
        file,
        dataDir: r.dataDir,
        replaced: r.replaced,
        createdAt: r.manifest.createdAt,
      };
    }
    case 'migrate-to-postgres': {
      const dataDir = p.options.get('--data-dir') ?? process.env.DATA_DIR ?? './data';
      const url = p.options.get('--database-url') ?? process.env.DATABASE_URL;
      if (typeof url !== 'string')
        throw new BackupError('missing_argument', 'migrate-to-postgres needs --database-url URL');
      const { migrateToPostgres } = await import('./storage/migrate-to-postgres.js');
      const counts = await migrateToPostgres(String(dataDir), url);
      say(
        `copied ${counts.users} users, ${counts.sessions} sessions, ${counts.discussions} discussions, ` +
          `${counts.documents} documents, ${counts.auditEntries} audit entries, ${counts.files} files`,
      );
      return { command: 'migrate-to-postgres', ...counts };
    }
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return { ok: true, command: 'help' };
    case undefined:
      throw new BackupError('missing_argument', 'no command given');
    default:
      throw new BackupError('unknown_command', `unknown command "${p.command}"`);
  }
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const say = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};
try {
  const result = await run(parse(argv.map((a) => (a === '-h' ? 'help' : a))), say);
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = 0;
} catch (err) {
  const known = err instanceof BackupError;
  const code = known ? err.code : 'internal_error';
  const message = known ? err.message : String((err as Error)?.stack ?? err);
  process.stderr.write(`error [${code}]: ${message}\n`);
  if (known && USAGE_CODES.has(err.code)) process.stderr.write(`\n${USAGE}`);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  process.exitCode = known && USAGE_CODES.has(err.code) ? 2 : 1;
}
