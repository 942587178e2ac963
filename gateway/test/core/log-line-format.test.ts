// The request log line is built without merging time, level, message, base and fields into a
// new object. Whatever path a line takes, its text must be what JSON.stringify of that merged
// object gives (the key order and the last-wins rule for repeated names included).
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@switchyard/compiler';

function lineFor(base: Record<string, unknown>, msg: string, fields: Record<string, unknown> | undefined): string {
  const lines: string[] = [];
  createLogger({ level: 'debug', base, write: (line) => lines.push(line) }).info(msg, fields);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

/** What the line must say, with the time taken from the line itself. */
function expectedFor(line: string, base: Record<string, unknown>, msg: string, fields: Record<string, unknown> | undefined): string {
  const time = (JSON.parse(line) as { time: string }).time;
  return `${JSON.stringify({ time, level: 'info', msg, ...base, ...fields })}\n`;
}

describe('log line format', () => {
  const requestFields = {
    requestId: 'r-1',
    operation: 'chat',
    status: 200,
    durationMs: 0.532,
    key: 'default/k',
    route: undefined,
    attempts: 1,
    stream: false,
    failedAttempts: [{ backend: 'b', status: 503 }],
  };
  const cases: Array<[string, Record<string, unknown>, string, Record<string, unknown> | undefined]> = [
    ['a request line (the fast path)', { component: 'gateway' }, 'request', requestFields],
    ['no fields', { component: 'gateway' }, 'listening', undefined],
    ['empty fields', { component: 'gateway' }, 'listening', {}],
    ['only undefined fields', { component: 'gateway' }, 'x', { a: undefined }],
    ['no base', {}, 'request', requestFields],
    ['a field repeating a base name (the field wins)', { component: 'gateway' }, 'x', { component: 'override', n: 1 }],
    ['a field named time', { component: 'gateway' }, 'x', { time: 'caller time' }],
    ['a field named msg', { component: 'gateway' }, 'x', { msg: 'caller msg' }],
    ['a message that needs escaping', { component: 'gateway' }, 'say "hi"\n\u0001', { n: 1 }],
    ['a base with a nested object', { component: 'gateway', pod: { name: 'p', zone: 'z' } }, 'x', { n: 1 }],
  ];
  it.each(cases)('writes %s exactly as JSON.stringify of the merged record', (_label, base, msg, fields) => {
    const line = lineFor(base, msg, fields);
    expect(line).toBe(expectedFor(line, base, msg, fields));
  });

  it('stamps the current time in toISOString format', () => {
    const before = Date.now();
    const line = lineFor({}, 'x', undefined);
    const after = Date.now();
    const time = (JSON.parse(line) as { time: string }).time;
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(time).toISOString()).toBe(time);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(time)).toBeLessThanOrEqual(after);
  });

  it('keeps rendering errors and bigints at the top level through the replacer', () => {
    const line = lineFor({ component: 'gateway' }, 'x', { error: new RangeError('out of range'), spent: 5n });
    expect(JSON.parse(line)).toMatchObject({ error: { name: 'RangeError', message: 'out of range' }, spent: '5', component: 'gateway' });
  });

  it('still redacts secrets on the fast path', () => {
    const line = lineFor({ component: 'gateway' }, 'request', { note: 'sk-sy-abcdefghijklmnopqrstuvwxyz012345' });
    expect(line).not.toContain('sk-sy-abcdefghijklmnopqrstuvwxyz012345');
    expect(JSON.parse(line)).toMatchObject({ note: '[REDACTED]' });
  });

  it('falls back when a field cannot be serialized as plain JSON (a nested bigint)', () => {
    const line = lineFor({}, 'x', { nested: { spent: 7n } });
    expect(JSON.parse(line)).toMatchObject({ nested: { spent: '7' } });
  });
});
