import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  awarenessFrame,
  permissionDeniedFrame,
  readFrame,
  step1Frame,
  step2Frame,
  SyncStep,
  TruncatedFrame,
  updateFrame,
} from './frames.js';

describe('sync frames', () => {
  it('writes the y-websocket bytes: type, step, length-prefixed payload', () => {
    expect([...updateFrame(Uint8Array.of(9, 8))]).toEqual([0, 2, 2, 9, 8]);
    expect([...step1Frame(Uint8Array.of(0))]).toEqual([0, 0, 1, 0]);
    expect([...step2Frame(Uint8Array.of(7))]).toEqual([0, 1, 1, 7]);
    expect([...awarenessFrame(Uint8Array.of(5, 6))]).toEqual([1, 2, 5, 6]);
    expect([...permissionDeniedFrame('no')]).toEqual([2, 0, 2, 110, 111]);
  });

  it('reads back what it writes', () => {
    const doc = new Y.Doc();
    doc.getMap('m').set('k', 'v');
    const update = Y.encodeStateAsUpdate(doc);
    expect(readFrame(updateFrame(update))).toEqual({ type: 'sync', step: SyncStep.Update, payload: update });
    expect(readFrame(step1Frame(Y.encodeStateVector(doc)))).toMatchObject({
      type: 'sync',
      step: SyncStep.Step1,
    });
    expect(readFrame(awarenessFrame(Uint8Array.of(1)))).toEqual({
      type: 'awareness',
      update: Uint8Array.of(1),
    });
    expect(readFrame(permissionDeniedFrame('forbidden_delete: no'))).toEqual({
      type: 'denied',
      reason: 'forbidden_delete: no',
    });
    expect(readFrame(Uint8Array.of(3))).toEqual({ type: 'query-awareness' });
  });

  it('returns unknown types and steps, and throws on a truncated frame', () => {
    expect(readFrame(Uint8Array.of(7, 0, 1))).toEqual({ type: 'unknown', messageType: 7 });
    expect(readFrame(Uint8Array.of(0, 9))).toEqual({ type: 'unknown', messageType: 0, step: 9 });
    const full = updateFrame(Uint8Array.of(1, 2, 3, 4));
    expect(() => readFrame(full.subarray(0, full.length - 2))).toThrow(TruncatedFrame);
    expect(() => readFrame(new Uint8Array(0))).toThrow(TruncatedFrame);
  });
});
