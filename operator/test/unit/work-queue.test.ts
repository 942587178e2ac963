import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { delay } from '../support/wait-for.js';

describe('WorkQueue', () => {
  it('hands out 300,000 waiting keys (the status write-out at 100,000 keys) in order, each once, and keeps its depth right', async () => {
    // Array.shift on an array this long moves every key each time: about 33 s of CPU for these
    // keys before (4 s at 110,000), under 1 s now. The deadline is far from either.
    const keys = 300_000;
    const depths: number[] = [];
    const queue = new WorkQueue({ workers: 8, onDepthChange: (depth) => depths.push(depth) });
    for (let i = 0; i < keys; i++) queue.add(`VirtualKey/team/key-${i}`);
    expect(queue.depth).toBe(keys);
    const seen: string[] = [];
    const started = performance.now();
    await new Promise<void>((resolve) =>
      queue.run(async (key) => {
        seen.push(key);
        if (seen.length === keys) resolve();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await queue.idle();
    expect(queue.depth).toBe(0);
    expect(depths.at(-1)).toBe(0);
    expect(seen).toHaveLength(keys);
    expect(seen.every((key, i) => key === `VirtualKey/team/key-${i}`)).toBe(true);
    // Added again after the queue drained (the compacted array is reused): runs again.
    queue.add('VirtualKey/team/key-7');
    await queue.idle();
    await queue.shutdown();
    expect(seen.at(-1)).toBe('VirtualKey/team/key-7');
    expect(seconds).toBeLessThan(15);
  }, 60_000);

  it('holds a waiting key once, however often it is added', async () => {
    const queue = new WorkQueue({ workers: 1 });
    const seen: string[] = [];
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.run(async (key) => {
      seen.push(key);
    });
    await queue.idle();
    await queue.shutdown();
    expect(seen).toEqual(['a', 'b']);
  });

  it('never runs one key on two workers at once, and reruns a key added while it ran', async () => {
    const queue = new WorkQueue({ workers: 4 });
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    queue.run(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      runs += 1;
      if (runs === 1) queue.add('k'); // arrives during the run
      await delay(20);
      running -= 1;
    });
    queue.add('k');
    await delay(5);
    queue.add('k');
    await queue.idle();
    await queue.shutdown();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('retries a failing key with per-key exponential backoff and forgets it after a success', async () => {
    const queue = new WorkQueue({ workers: 1, baseDelayMs: 20, maxDelayMs: 1_000 });
    const attempts: number[] = [];
    const start = Date.now();
    queue.run(async (key) => {
      if (key !== 'flaky') return;
      attempts.push(Date.now() - start);
      if (attempts.length < 4) throw new Error('not yet');
    });
    queue.add('flaky');
    queue.add('fine');
    await queue.idle();
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    // 20, 40, 80 ms between attempts (timers may fire late, never early).
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(queue.failureCount('flaky')).toBe(0);
    await queue.shutdown();
  });

  it('caps the backoff', () => {
    const queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 500 });
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited('x'));
    expect(delays).toEqual([100, 200, 400, 500, 500, 500]);
    void queue.shutdown();
  });
});
