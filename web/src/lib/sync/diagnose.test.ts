import { describe, expect, it } from 'vitest';
import { CloseCode } from '@palabre/shared/close-codes';
import { ErrorCode } from '@palabre/shared/errors';
import { closeCodeFor, diagnose, shouldDiagnose } from './diagnose.js';

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

describe('asking REST why the socket keeps failing', () => {
  it('asks on every second failure in a row, not on the first', () => {
    expect([0, 1, 2, 3, 4].map(shouldDiagnose)).toEqual([false, false, true, false, true]);
  });

  it('stops the document like the matching close would', () => {
    expect(closeCodeFor(ErrorCode.DiscussionNotFound)).toBe(CloseCode.NotFound);
    expect(closeCodeFor(ErrorCode.NotMember)).toBe(CloseCode.Forbidden);
    expect(closeCodeFor(ErrorCode.Forbidden)).toBe(CloseCode.Forbidden);
    expect(closeCodeFor(ErrorCode.Unauthenticated)).toBeNull();
    expect(closeCodeFor(ErrorCode.Internal)).toBeNull();
  });

  it('keeps retrying when the discussion answers, or the server is down', async () => {
    expect(await diagnose(async () => ({ id: 'd' }))).toBeNull();
    expect(await diagnose(() => Promise.reject(new CodedError('network', 'offline')))).toBeNull();
    expect(await diagnose(() => Promise.reject(new TypeError('fetch failed')))).toBeNull();
  });

  it('gives the close and the server’s reason when I am no longer a member', async () => {
    const verdict = await diagnose(() => Promise.reject(new CodedError(ErrorCode.NotMember, 'removed')));
    expect(verdict).toEqual({ code: CloseCode.Forbidden, reason: 'removed' });
  });
});
