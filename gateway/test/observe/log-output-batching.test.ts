// Log lines on stdout are batched: lines logged over several event-loop turns leave in one write,
// in the order they were logged, and a process that exits (by process.exit or by running out of
// work) writes whatever is still batched first.
import { execFileSync } from 'node:child_process';
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
  ])('loses no line and keeps their order when the process ends by %s', (_label, ending) => {
    const compiler = pathToFileURL(join(repoRoot, 'compiler', 'dist', 'src', 'index.js')).href;
    const script = `
      import { createLogger } from ${JSON.stringify(compiler)};
      const logger = createLogger({ level: 'info', format: 'json' });
      for (let i = 0; i < 3000; i++) logger.info('request', { n: i });
      ${ending}
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    const numbers = output
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
