// Log lines on stdout are batched: lines logged over several event-loop turns leave in one write,
// in the order they were logged, and a process that exits (by process.exit or by running out of
// work) writes whatever is still batched first.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('never interleaves lines with a write a lagging pipe took only in part, at exit', () => {
    const compiler = pathToFileURL(join(repoRoot, 'compiler', 'dist', 'src', 'index.js')).href;
    // A line over a pipe's capacity (64 KiB on Linux) while the reader sleeps: the pipe takes part
    // of it and process.stdout queues the rest; then more lines, then process.exit().
    const scriptFile = join(mkdtempSync(join(tmpdir(), 'log-batching-')), 'lagging-pipe.mjs');
    writeFileSync(
      scriptFile,
      `import { createLogger } from ${JSON.stringify(compiler)};
      const logger = createLogger({ level: 'info', format: 'json' });
      logger.info('request', { n: 0, big: 'x'.repeat(100000) });
      for (let i = 1; i <= 10; i++) logger.info('request', { n: i });
      process.exit(0);
      `,
    );
    const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
    // `set -o pipefail` is not POSIX sh: the writer's exit status travels through a file instead.
    const statusFile = `${scriptFile}.status`;
    const result = spawnSync(
      'sh',
      ['-c', `{ ${quote(process.execPath)} ${quote(scriptFile)}; echo $? > ${quote(statusFile)}; } | { sleep 1; cat; }`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 },
    );
    // No error at exit (writing to the full pipe directly failed with EAGAIN).
    expect(result.stderr).toBe('');
    const output = result.stdout;
    expect(readFileSync(statusFile, 'utf8').trim()).toBe('0');
    // What the pipe took is a prefix of the lines in order: every complete line parses, none is cut into by another.
    const lines = output.split('\n');
    const numbers = lines.slice(0, -1).map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i));
    // A cut-off last line is one line's beginning, with no other line inside it.
    expect((lines.at(-1) ?? '').indexOf('{"time"', 1)).toBe(-1);
    expect(output.startsWith('{"time"')).toBe(true);
  });
});
