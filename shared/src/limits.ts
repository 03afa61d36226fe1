/**
 * Sizes the server enforces and the web app shows (a field's maxlength, a counter): one place,
 * free of zod, so the web bundle can import it without the validation schemas.
 */
import { MAX_MESSAGE_LENGTH } from './discussion/record.js';

export const LIMITS = {
  usernameMax: 64,
  displayNameMax: 100,
  passwordMin: 8,
  passwordMax: 200,
  titleMax: 120,
  tokenLabelMax: 100,
  groupMembersMax: 500,
  jsonBodyBytes: 64 * 1024,
  messageLength: MAX_MESSAGE_LENGTH,
} as const;

/** A discussion's title, at most this many characters (the server trims and checks it). */
export const TITLE_MAX = LIMITS.titleMax;
