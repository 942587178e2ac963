// --log-flush-ms / SWITCHYARD_LOG_FLUSH_MS: how long a log line may wait to be written with
// others. The flag wins over the variable, an empty variable is unset, and anything but a whole
// number of milliseconds in 0-1000 is refused naming where it came from.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LOG_FLUSH_MS, FlagError } from '@switchyard/compiler';
import { parseGatewayFlags } from '../../src/cli/gateway-flags.js';

const BASE = ['--config', 'x.yaml'];

describe('--log-flush-ms', () => {
  it.each([
    { args: [], env: {}, expected: DEFAULT_LOG_FLUSH_MS },
    { args: ['--log-flush-ms', '0'], env: {}, expected: 0 },
    { args: ['--log-flush-ms', '1000'], env: {}, expected: 1000 },
    { args: [], env: { SWITCHYARD_LOG_FLUSH_MS: '5' }, expected: 5 },
    { args: [], env: { SWITCHYARD_LOG_FLUSH_MS: '' }, expected: DEFAULT_LOG_FLUSH_MS },
    { args: ['--log-flush-ms', '7'], env: { SWITCHYARD_LOG_FLUSH_MS: '5' }, expected: 7 },
  ])('$args with $env -> $expected ms', ({ args, env, expected }) => {
    expect(parseGatewayFlags([...BASE, ...args], env, false).logFlushMs).toBe(expected);
  });

  it.each([
    { args: ['--log-flush-ms', '1001'], env: {}, names: '--log-flush-ms', got: '"1001"' },
    { args: ['--log-flush-ms=-1'], env: {}, names: '--log-flush-ms', got: '"-1"' },
    { args: ['--log-flush-ms', '2.5'], env: {}, names: '--log-flush-ms', got: '"2.5"' },
    { args: [], env: { SWITCHYARD_LOG_FLUSH_MS: '20ms' }, names: 'SWITCHYARD_LOG_FLUSH_MS', got: '"20ms"' },
  ])('refuses $args $env naming $names', ({ args, env, names, got }) => {
    let error: unknown;
    try {
      parseGatewayFlags([...BASE, ...args], env, false);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FlagError);
    expect((error as Error).message).toBe(`${names} must be a whole number of milliseconds from 0 to 1000; got ${got}`);
  });
});
