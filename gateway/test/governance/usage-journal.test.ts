// --usage-journal (cluster mode): the usage report book on disk after every settlement, so a
// gateway killed with SIGKILL and started again in the same Pod continues its book: it resends
// what the operator has not acknowledged, under the same boot id and sequence numbers (which the
// operator applies once each), and forgets what was acknowledged.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger, type CompiledBudget } from '@switchyard/compiler';
import { InProcessBudgetLedger } from '../../src/governance/budget/in-process-budget-ledger.js';
import { scratchDir } from './governance-fixtures.js';

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

/** What a killed process left: the journal as its own writes put it, without close() or flush(). */
async function journalSettles(file: string, predicate: (journal: Record<string, unknown>) => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text !== '' && predicate(JSON.parse(text) as Record<string, unknown>)) return;
    if (Date.now() > deadline) throw new Error(`the journal never reached the expected state; last: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('usage journal', () => {
  let dir: { path: string; remove(): Promise<void> };
  let file: string;
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line) });
  beforeEach(async () => {
    dir = await scratchDir();
    file = join(dir.path, 'usage-journal.json');
    lines.length = 0;
  });
  afterEach(async () => dir.remove());

  it('a killed gateway continues its book: open spend and unacknowledged batches are sent again, same boot and sequence', async () => {
    const first = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    first.charge([monthly], 100n, NOW);
    const [sent] = first.drainUsageReports();
    first.charge([monthly], 7n, NOW);
    await journalSettles(file, (journal) => (journal['open'] as unknown[]).length === 1 && (journal['pending'] as unknown[]).length === 1);
    // SIGKILL here: no close(), no flush(). The next container reads the journal.
    const second = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    const resent = second.drainUsageReports();
    expect(
      resent.map((report) => ({ bootId: report.bootId, seq: report.seq, costs: report.entries.map((entry) => entry.costNanos) })),
    ).toEqual([
      { bootId: sent!.bootId, seq: sent!.seq, costs: ['100'] },
      { bootId: sent!.bootId, seq: sent!.seq + 1, costs: ['7'] },
    ]);
    expect(lines.some((line) => line.includes('usage journal found'))).toBe(true);
  });

  it('forgets what the operator acknowledged, on disk too', async () => {
    const first = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    first.charge([monthly], 100n, NOW);
    const [sent] = first.drainUsageReports();
    first.applySpendSnapshot({ budgets: [], appliedReports: { [sent!.bootId]: sent!.seq } } as never);
    await journalSettles(file, (journal) => (journal['pending'] as unknown[]).length === 0);
    const second = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    expect(second.drainUsageReports()).toEqual([]);
  });

  it('spend settled by the killed process counts in the restarted one until acknowledged', async () => {
    const first = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    first.charge([monthly], 500n, NOW);
    await journalSettles(file, (journal) => (journal['open'] as unknown[]).length === 1);
    const second = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    // The operator's snapshot has not seen it yet: the restarted gateway adds it on top.
    second.applySpendSnapshot({ budgets: [{ budgetId: 'ai/team', periodStart: '2026-11-01T00:00:00.000Z', spentNanos: '1000' }] } as never);
    expect(second.spend(monthly, NOW).spentNanos).toBe(1500n);
  });

  it('moves an unreadable journal aside, says so, and starts a new book', async () => {
    await writeFile(file, '{"version": 1, "bootId": "x", "nextSeq": "three"');
    const ledger = new InProcessBudgetLedger({ logger, usageJournal: file, nowMs: () => NOW });
    expect(ledger.drainUsageReports()).toEqual([]);
    expect((await readdir(dir.path)).some((name) => name.startsWith('usage-journal.json.unreadable-'))).toBe(true);
    expect(lines.some((line) => line.includes('moved aside'))).toBe(true);
  });
});
