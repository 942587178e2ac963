// --state-file: spend written atomically (temp file, fsync, rename), read back at start, and a
// damaged file refused with a message naming it rather than silently starting from zero.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledBudget } from '@switchyard/compiler';
import { InProcessBudgetLedger } from '../../src/governance/budget/in-process-budget-ledger.js';
import { readSpendStateFile, StateFileError } from '../../src/governance/budget/spend-state-file.js';
import { createLogger } from '@switchyard/compiler';
import { scratchDir } from './governance-fixtures.js';

const quiet = createLogger({ write: () => undefined });
const NOW = Date.parse('2026-11-25T10:00:00.000Z');
const monthly: CompiledBudget = {
  id: 'ai/team',
  namespace: 'ai',
  name: 'team',
  generation: 1,
  limitNanos: '1000000000',
  period: 'Monthly',
  enforcement: 'Block',
};

describe('spend state file', () => {
  let dir: { path: string; remove(): Promise<void> };
  let file: string;
  beforeEach(async () => {
    dir = await scratchDir();
    file = join(dir.path, 'spend.json');
  });
  afterEach(async () => dir.remove());

  it('starts empty when the file does not exist, and writes settled spend within the flush delay', async () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet, stateFile: file, flushDelayMs: 20, nowMs: () => NOW });
    const outcome = ledger.reserve({ budgets: [monthly], estimateNanos: 100n, nowMs: NOW, leaseMs: 1 });
    if (!outcome.admitted) throw new Error('refused');
    outcome.reservation.settle(42n, NOW);
    // Written by the debounce timer alone, without a flush() call; the rename makes it appear whole.
    const deadline = Date.now() + 5_000;
    while (!(await readdir(dir.path)).includes('spend.json') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      savedAt: new Date(NOW).toISOString(),
      budgets: [{ budgetId: 'ai/team', periodStart: '2026-11-01T00:00:00.000Z', spentNanos: '42' }],
    });
    // No temporary file is left behind once the write is done.
    await ledger.flush();
    expect(await readdir(dir.path)).toEqual(['spend.json']);
  });

  it('loads spend at start so it survives a restart', async () => {
    const first = new InProcessBudgetLedger({ logger: quiet, stateFile: file, nowMs: () => NOW });
    first.charge([monthly], 123_456n, NOW);
    await first.close();
    const second = new InProcessBudgetLedger({ logger: quiet, stateFile: file, nowMs: () => NOW });
    expect(second.spend(monthly, NOW).spentNanos).toBe(123_456n);
    expect(second.spend(monthly, Date.parse('2026-12-01T00:00:00Z')).spentNanos).toBe(0n);
  });

  it('writes the figures current when the write starts, after several settlements', async () => {
    const ledger = new InProcessBudgetLedger({ logger: quiet, stateFile: file, flushDelayMs: 10, nowMs: () => NOW });
    for (let i = 0; i < 50; i++) ledger.charge([monthly], 2n, NOW);
    await ledger.flush();
    expect(readSpendStateFile(file)).toEqual([{ budgetId: 'ai/team', periodStart: '2026-11-01T00:00:00.000Z', spentNanos: '100' }]);
  });

  it.each([
    ['not JSON', '{"version": 1, "budg'],
    ['another version', '{"version": 2, "budgets": []}'],
    ['a bad record', '{"version": 1, "budgets": [{"budgetId": "ai/team", "periodStart": "yesterday", "spentNanos": "1"}]}'],
    [
      'a fractional amount',
      '{"version": 1, "budgets": [{"budgetId": "ai/team", "periodStart": "2026-11-01T00:00:00.000Z", "spentNanos": "1.5"}]}',
    ],
  ])('refuses a file that is %s, naming it', async (_label, text) => {
    await writeFile(file, text);
    expect(() => new InProcessBudgetLedger({ logger: quiet, stateFile: file })).toThrow(StateFileError);
    expect(() => readSpendStateFile(file)).toThrow(file);
  });
});
