import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { delay } from '../support/wait-for.js';

describe('WorkQueue', () => {
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
