/** English wording of sessions, token revocation and login throttling (same keys as fr-security.ts). */
import type { frSecurity } from './fr-security.js';

export const enSecurity: Record<keyof typeof frSecurity, string> = {
  'nav.sessions': 'Sessions',
  'sessions.title': 'Sessions',
  'sessions.intro':
    'The devices and browsers signed in to your account. End a session you do not recognise: it is signed out at once.',
  'sessions.list': 'Your sessions',
  'sessions.current': 'This session',
  'sessions.device': '{browser} on {system}',
  'sessions.unknownDevice': 'Unknown browser',
  'sessions.created': 'Opened {date}',
  'sessions.lastSeen': 'Last active: {date}',
  'sessions.end': 'End',
  'sessions.endNamed': 'End the session {device}',
  'sessions.endOthers': 'End all other sessions',
  'sessions.endedOne': 'Session ended.',
  'sessions.endedOthers': '{count} session(s) ended.',
  'sessions.onlyThis': 'No other session is open.',
  'admin.tokens.col.owner': 'Created by',
  'admin.tokens.col.lastUsed': 'Last used',
  'admin.tokens.col.actions': 'Actions',
  'admin.tokens.revoke': 'Revoke',
  'admin.tokens.revokeNamed': 'Revoke the token “{label}”',
  'admin.tokens.confirmRevoke': 'Confirm revocation',
  'admin.tokens.cancel': 'Cancel',
  'admin.tokens.revoked': 'Token “{label}” revoked: its connections are closed.',
  'audit.token.revoke': '{actor} revoked the API token “{label}”.',
  'audit.auth.loginFailed': 'Failed sign-in for “{username}” from {address}.',
  'login.throttled': 'Too many attempts. Try again in {seconds} s.',
  'errors.too_many_attempts': 'Too many attempts. Try again in a moment.',
  'errors.cross_origin': 'Request refused: it does not come from Palabre.',
};
