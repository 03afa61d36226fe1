/** First run: the admin account, created when no admin account exists. */
import { randomBytes } from 'node:crypto';
import type { RunningServer } from './server.js';

export async function ensureAdmin(
  server: RunningServer,
  username: string,
  password: string | undefined,
): Promise<{ username: string; generatedPassword: string | null } | null> {
  // Keyed on "an admin exists", the same condition as readiness (GET /api/health).
  if ((await server.storage.directory.listUsers()).some((u) => u.role === 'admin')) return null;
  const generated = password ? null : randomBytes(9).toString('base64url');
  try {
    await server.auth.createUser({
      username,
      displayName: 'Administrateur',
      password: password ?? generated!,
      role: 'admin',
    });
  } catch (err) {
    // Several nodes starting together on one database: another node created it first.
    if ((await server.storage.directory.userByUsername(username))?.role === 'admin') return null;
    throw err;
  }
  return { username, generatedPassword: generated };
}
