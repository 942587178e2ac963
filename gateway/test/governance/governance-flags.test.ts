// The governance flags of `switchyard gateway`: --redis-url, --redis-failure-mode (default open),
// --redis-timeout, --state-file; bad values are one clear error each.
import { describe, expect, it } from '@jest/globals';
import { FlagError } from '@switchyard/compiler';
import { parseGatewayFlags } from '../../src/cli/gateway-flags.js';

const base = ['--config', 'x.yaml'];

describe('governance flags', () => {
  it('defaults to in-process counters, failure mode open and a 250 ms Redis timeout', () => {
    expect(parseGatewayFlags(base)).toMatchObject({
      redisUrl: undefined,
      redisFailureMode: 'open',
      redisTimeoutMs: 250,
      stateFile: undefined,
    });
  });

  it('accepts Redis and state-file settings', () => {
    expect(
      parseGatewayFlags([
        ...base,
        '--redis-url',
        'rediss://user:pw@redis.internal:6380/2',
        '--redis-failure-mode',
        'closed',
        '--redis-timeout',
        '1s',
        '--state-file',
        '/var/lib/switchyard/spend.json',
      ]),
    ).toMatchObject({
      redisUrl: 'rediss://user:pw@redis.internal:6380/2',
      redisFailureMode: 'closed',
      redisTimeoutMs: 1000,
      stateFile: '/var/lib/switchyard/spend.json',
    });
  });

  it.each([
    [['--redis-url', 'http://redis:6379'], /--redis-url must be a redis:\/\/ or rediss:\/\/ URL/],
    [['--redis-url', 'redis://r:6379', '--redis-failure-mode', 'maybe'], /--redis-failure-mode must be open or closed, got "maybe"/],
    [['--redis-url', 'redis://r:6379', '--redis-timeout', 'soon'], /--redis-timeout/],
    [['--redis-failure-mode', 'closed'], /--redis-failure-mode only apply with --redis-url/],
  ])('refuses %j', (args, message) => {
    expect(() => parseGatewayFlags([...base, ...args])).toThrow(FlagError);
    expect(() => parseGatewayFlags([...base, ...args])).toThrow(message);
  });
});
