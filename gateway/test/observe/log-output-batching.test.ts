// Log lines on stdout are batched: lines logged over several event-loop turns leave in one write,
// in the order they were logged, and a process that exits (by process.exit or by running out of
// work) writes whatever is still batched first.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@switchyard/compiler';
import { repoRoot } from '../support/repo-paths.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('log output batching', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('writes lines logged over several event-loop turns in one write, in order', async () => {
    // Only timers are faked: event-loop turns (setImmediate) run for real, so a flush per turn would show.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const writes: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const logger = createLogger({ level: 'info', format: 'json', base: { component: 'test' } });
    for (let i = 0; i < 5; i++) {
      logger.info('request', { n: i });
      await turn();
    }
    expect(writes).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(writes).toHaveLength(1);
    const lines = (writes[0] as string).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([
    ['process.exit()', 'process.exit(0);'],
    ['running out of work', ''],
  ])('loses no line and keeps their order, long lines included, when the process ends by %s', (_label, ending) => {
    const compiler = pathToFileURL(join(repoRoot, 'compiler', 'dist', 'src', 'index.js')).href;
    const script = `
      import { createLogger } from ${JSON.stringify(compiler)};
      const logger = createLogger({ level: 'info', format: 'json' });
      for (let i = 0; i < 3000; i++) logger.info('request', i === 1500 ? { n: i, big: 'é'.repeat(40000) } : { n: i });
      ${ending}
    `;
    // Into a file, as the bench and most log collectors take it; a file takes every write whole.
    const outputFile = join(mkdtempSync(join(tmpdir(), 'log-batching-')), 'stdout.log');
    const fd = openSync(outputFile, 'w');
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', fd, 'inherit'], timeout: 20_000 });
    } finally {
      closeSync(fd);
    }
    const output = readFileSync(outputFile, 'utf8');
    const records = output
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { n: number; big?: string });
    expect(records.map((record) => record.n)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    // A line longer than a whole batch (80 KB of two-byte characters) arrives whole.
    expect(records[1500]?.big).toBe('é'.repeat(40000));
  });
});
