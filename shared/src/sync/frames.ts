/**
 * The y-websocket wire format, built and read in one place (the browser's DocSync, the server,
 * the tests' hand-made clients). A frame is a varuint message type, then:
 * - sync (0): a varuint step (y-protocols/sync: 0 step 1, 1 step 2, 2 update) and a
 *   length-prefixed payload (a state vector for step 1, an update otherwise);
 * - awareness (1): a length-prefixed awareness update;
 * - auth (2): 0 (permission denied) and a reason string;
 * - query awareness (3): nothing.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const;
export type SyncStep = (typeof SyncStep)[keyof typeof SyncStep];

const PERMISSION_DENIED = 0;

export function syncFrame(step: SyncStep, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Sync);
  encoding.writeVarUint(e, step);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

/** A sync step 1: "here is what I have", answered with a step 2 of what the sender lacks. */
export const step1Frame = (stateVector: Uint8Array) => syncFrame(SyncStep.Step1, stateVector);
export const step2Frame = (update: Uint8Array) => syncFrame(SyncStep.Step2, update);
export const updateFrame = (update: Uint8Array) => syncFrame(SyncStep.Update, update);

export function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Awareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function permissionDeniedFrame(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Auth);
  encoding.writeVarUint(e, PERMISSION_DENIED);
  encoding.writeVarString(e, reason);
  return encoding.toUint8Array(e);
}

export type Frame =
  | { type: 'sync'; step: SyncStep; payload: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'denied'; reason: string }
  | { type: 'query-awareness' }
  | { type: 'unknown'; messageType: number; step?: number };

/** A frame that ended before its declared content. */
export class TruncatedFrame extends Error {
  constructor() {
    super('truncated frame');
  }
}

/** Read one frame. Unknown types are returned, not thrown; a truncated frame throws TruncatedFrame. */
export function readFrame(frame: Uint8Array): Frame {
  const d = decoding.createDecoder(frame);
  try {
    const type = decoding.readVarUint(d);
    switch (type) {
      case MessageType.Sync: {
        const step = decoding.readVarUint(d);
        if (step > SyncStep.Update) return { type: 'unknown', messageType: type, step };
        return { type: 'sync', step: step as SyncStep, payload: decoding.readVarUint8Array(d) };
      }
      case MessageType.Awareness:
        return { type: 'awareness', update: decoding.readVarUint8Array(d) };
      case MessageType.Auth:
        decoding.readVarUint(d);
        return { type: 'denied', reason: decoding.readVarString(d) };
      case MessageType.QueryAwareness:
        return { type: 'query-awareness' };
      default:
        return { type: 'unknown', messageType: type };
    }
  } catch {
    throw new TruncatedFrame();
  }
}
