import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

function capture(level?: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level, destination: sink }) };
}

describe('createLogger', () => {
  it('write one JSON line per event: level, time, pid, the child bindings, the fields, msg', () => {
    const { lines, logger } = capture();
    logger.child({ reqId: 'r1' }).info({ event: 'request', status: 200 }, 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('}\n')).toBe(true);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['level', 'time', 'pid', 'reqId', 'event', 'status', 'msg']);
    expect(line).toMatchObject({ level: 'info', pid: process.pid, reqId: 'r1', msg: 'request' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('drop the events below LOG_LEVEL, and everything when silent; an unknown level means info', () => {
    const warn = capture('warn');
    warn.logger.info({ event: 'a' }, 'a');
    warn.logger.error({ event: 'b' }, 'b');
    expect(warn.lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['b']);
    const silent = capture('silent');
    silent.logger.fatal({ event: 'c' }, 'c');
    expect(silent.lines).toEqual([]);
    const unknown = capture('toString');
    unknown.logger.debug({ event: 'd' }, 'd');
    unknown.logger.info({ event: 'e' }, 'e');
    expect(unknown.lines).toHaveLength(1);
  });

  it('write an error with its type, message, stack and own fields, and never throw on a cycle', () => {
    const { lines, logger } = capture();
    const err = Object.assign(new TypeError('boom'), { code: 'E_BOOM' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = { back: cyclic };
    const shared = { id: 's' };
    logger.error({ event: 'crash', err, cyclic, pair: [shared, shared], big: 10n }, 'boom');
    const line = JSON.parse(lines[0]) as { err: Record<string, unknown>; cyclic: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'TypeError', message: 'boom', code: 'E_BOOM' });
    expect(String(line.err.stack)).toContain('boom');
    expect(JSON.stringify(line.cyclic)).toContain('"self":"[Circular]"');
    expect(line).toMatchObject({ pair: [{ id: 's' }, { id: 's' }], big: '10' });
  });
});
