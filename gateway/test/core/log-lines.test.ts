// Structured log lines: one JSON object per line, errors and bigints rendered, secrets
// redacted as the last line of defence.
import { describe, expect, it } from '@jest/globals';
import { createLogger, redactSecrets } from '@switchyard/compiler';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug'): {
  lines: Array<Record<string, unknown>>;
  logger: ReturnType<typeof createLogger>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level,
    base: { component: 'test' },
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { lines, logger };
}

describe('log lines', () => {
  it.each([
    ['a Switchyard key', 'key sk-sy-abcdefghijklmnopqrstuvwxyz012345 used', 'key [REDACTED] used'],
    ['an OpenAI project key', 'got sk-proj-abcdefghijklmnop_qrstuvwx', 'got [REDACTED]'],
    ['an Anthropic key', 'x sk-ant-api03-abcdefghijklmnopqrstuv y', 'x [REDACTED] y'],
    [
      'a PEM private key',
      'key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY----- end',
      'key [REDACTED] end',
    ],
    [
      'a JSON-escaped RSA private key',
      '{"private_key":"-----BEGIN RSA PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END RSA PRIVATE KEY-----\\n"}',
      '{"private_key":"[REDACTED]\\n"}',
    ],
    ['a Google key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv', '[REDACTED]'],
    ['an AWS access key id', 'id AKIAABCDEFGHIJKLMNOP!', 'id [REDACTED]!'],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [REDACTED]'],
    ['nothing secret', 'route default/gpt-4o backend openai-main', 'route default/gpt-4o backend openai-main'],
  ])('redacts %s', (_label, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('writes one JSON object per line with time, level, message, base and fields', () => {
    const { lines, logger } = capture();
    logger.info('request', { status: 200, key: 'default/k' });
    expect(lines).toEqual([
      { time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', msg: 'request', component: 'test', status: 200, key: 'default/k' },
    ]);
  });

  it('renders errors and bigints, and redacts secrets inside them', () => {
    const { lines, logger } = capture();
    logger.error('failed', { error: new TypeError('bad key sk-sy-abcdefghijklmnopqrstuvwxyz012345'), spent: 12n, nested: { count: 1n } });
    expect(lines[0]).toMatchObject({ error: { name: 'TypeError', message: 'bad key [REDACTED]' }, spent: '12', nested: { count: '1' } });
  });

  it('drops lines below the threshold', () => {
    const { lines, logger } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => l.msg)).toEqual(['loud']);
  });
});
