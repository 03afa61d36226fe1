/**
 * WebSocket close codes used by the sync server (4000-4999 is the application range).
 * The HTTP-like numbers make logs readable: 4401 is "401 after the upgrade".
 */
export const CloseCode = {
  /** Sent by the client, not the server: nothing heard for too long, so it closes and reconnects. */
  SilentConnection: 4000,
  /** A sync frame could not be decoded (truncated, unknown message type, garbage). */
  MalformedFrame: 4400,
  /** The session expired or was revoked while connected. */
  Unauthorized: 4401,
  /** The user is no longer a member of the discussion. */
  Forbidden: 4403,
  /** The discussion was deleted while connected. */
  NotFound: 4404,
  /** The client did not read what it was sent; the server dropped it rather than buffer more. */
  TooSlow: 4408,
  /** The user's role in the discussion changed: reconnect to get the new rights. */
  RoleChanged: 4409,
  /** A frame was larger than the server accepts. */
  TooLarge: 4413,
  /** An update broke a document rule; it was not applied, stored or relayed. */
  UpdateRejected: 4422,
  /** The connection sent more frames or bytes per second than allowed: reconnect after a long pause. */
  RateLimited: 4429,
  /** The server could not store an update; the client should retry later. */
  StorageFailed: 4500,
  /** The server is shutting down; reconnect later. */
  ServerShutdown: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
