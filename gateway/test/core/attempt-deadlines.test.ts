// One upstream attempt's deadlines run on a single timer that re-arms itself; these checks pin
// down that each deadline still fires on time with its own reason, that a phase that ended no
// longer counts, and that a client disconnect reaches whichever attempt is running.
import { describe, expect, it } from '@jest/globals';
import type { CompiledTimeouts } from '@switchyard/compiler';
import { AttemptScope } from '../../src/pipeline/attempt-scope.js';
import { ClientDisconnectedError } from '../../src/pipeline/exchange.js';
import { UpstreamFailure } from '../../src/errors/upstream-failure.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function timeouts(overrides: Partial<CompiledTimeouts>): CompiledTimeouts {
  return { connectMs: 5_000, firstByteMs: 5_000, totalMs: 10_000, streamIdleMs: 5_000, ...overrides };
}

/** Resolves with the abort reason and when it came. */
function abortOf(scope: AttemptScope): Promise<{ reason: unknown; at: number }> {
  return new Promise((resolve) =>
    scope.abortEmitter.once('abort', () => resolve({ reason: scope.abortEmitter.reason, at: performance.now() })),
  );
}

function timeoutMessage(reason: unknown): string {
  expect(reason).toBeInstanceOf(UpstreamFailure);
  expect((reason as UpstreamFailure).kind).toBe('Timeout');
  return (reason as UpstreamFailure).message;
}

const never = new Promise<never>(() => undefined);

describe('attempt deadlines', () => {
  it('aborts a first-byte wait at its deadline', async () => {
    const started = performance.now();
    const scope = new AttemptScope(new AbortController().signal, timeouts({ firstByteMs: 60 }));
    const aborted = abortOf(scope);
    scope.beginPhase(60, 'firstByte');
    const { reason, at } = await aborted;
    expect(timeoutMessage(reason)).toBe('firstByte timeout after 60 ms');
    expect(at - started).toBeGreaterThanOrEqual(58);
    expect(at - started).toBeLessThan(1_000);
    scope.dispose();
  });

  it('lets a phase that ended pass its deadline, and then enforces the total', async () => {
    const started = performance.now();
    const scope = new AttemptScope(new AbortController().signal, timeouts({ firstByteMs: 30, totalMs: 150 }));
    const aborted = abortOf(scope);
    scope.beginPhase(30, 'firstByte');
    scope.endPhase();
    const { reason, at } = await aborted;
    expect(timeoutMessage(reason)).toBe('total timeout after 150 ms');
    expect(at - started).toBeGreaterThanOrEqual(148);
    scope.dispose();
  });

  it('moves a stream-idle deadline with each chunk and fires once the chunks stop', async () => {
    const started = performance.now();
    const scope = new AttemptScope(new AbortController().signal, timeouts({ firstByteMs: 40, streamIdleMs: 80 }));
    const aborted = abortOf(scope);
    let lastChunkAt = started;
    // Chunks every 30 ms for 240 ms: the 80 ms idle deadline never passes while they flow.
    while (performance.now() - started < 240) {
      scope.beginPhase(80, 'streamIdle');
      await sleep(30);
      scope.endPhase();
      lastChunkAt = performance.now();
    }
    expect(scope.aborted).toBe(false);
    scope.beginPhase(80, 'streamIdle');
    const { reason, at } = await aborted;
    expect(timeoutMessage(reason)).toBe('streamIdle timeout after 80 ms');
    expect(at - lastChunkAt).toBeGreaterThanOrEqual(78);
    scope.dispose();
  });

  it('re-arms for a phase deadline earlier than the armed one', async () => {
    const started = performance.now();
    const scope = new AttemptScope(new AbortController().signal, timeouts({ firstByteMs: 5_000, streamIdleMs: 50 }));
    const aborted = abortOf(scope);
    scope.beginPhase(50, 'streamIdle');
    const { reason, at } = await aborted;
    expect(timeoutMessage(reason)).toBe('streamIdle timeout after 50 ms');
    expect(at - started).toBeLessThan(1_000);
    scope.dispose();
  });

  it('rejects a `within` wait on work that ignores the abort', async () => {
    const scope = new AttemptScope(new AbortController().signal, timeouts({ firstByteMs: 40 }));
    await expect(scope.within(never, 40, 'firstByte')).rejects.toThrow('firstByte timeout after 40 ms');
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toBe(scope.abortEmitter.reason);
    scope.dispose();
  });

  it('passes a client disconnect to the attempt running now, not to one already over', async () => {
    const client = new AbortController();
    const first = new AttemptScope(client.signal, timeouts({}));
    first.dispose();
    const second = new AttemptScope(client.signal, timeouts({}));
    const inProcessSignal = second.signal;
    const aborted = abortOf(second);
    client.abort(new ClientDisconnectedError());
    const { reason } = await aborted;
    expect(reason).toBeInstanceOf(ClientDisconnectedError);
    expect(inProcessSignal.aborted).toBe(true);
    expect(first.aborted).toBe(false);
    second.dispose();
  });

  it('starts aborted when the client is already gone', () => {
    const client = new AbortController();
    client.abort(new ClientDisconnectedError());
    const scope = new AttemptScope(client.signal, timeouts({}));
    expect(scope.aborted).toBe(true);
    expect(scope.explain(new Error('socket hang up'))).toBeInstanceOf(ClientDisconnectedError);
    scope.dispose();
  });

  it('fires nothing after dispose', async () => {
    const scope = new AttemptScope(new AbortController().signal, timeouts({ firstByteMs: 20 }));
    scope.beginPhase(20, 'firstByte');
    scope.dispose();
    await sleep(60);
    expect(scope.aborted).toBe(false);
  });
});
