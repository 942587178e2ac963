// Standalone durable spend: with --state-file, settled spend survives a graceful restart and a
// kill -9 (written atomically within ~200 ms of settling), so a restarted gateway keeps
// enforcing the budget where the last one stopped.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  budgetObject,
  documents,
  governedKey,
  HELLO,
  metricValue,
  openAIClient,
  pricedMockBackend,
  routeObject,
  scratchDir,
  testKey,
} from './governance-fixtures.js';

const key = testKey('durablekey');
const manifests = {
  'keys.yaml': documents(...governedKey({ name: 'durable', key, labels: { team: 'durable' } })),
  'budget.yaml': documents(budgetObject({ name: 'durable-total', matchLabels: { team: 'durable' }, limit: '0.003', period: 'Total' })),
  'route.yaml': documents(
    routeObject({
      name: 'metered',
      backends: [pricedMockBackend('mock-metered', { inputPerMillion: '10', outputPerMillion: '10' }, { response: 'abcd'.repeat(100) })],
    }),
  ),
};

async function spentNanosOnDisk(file: string): Promise<string | undefined> {
  const document = JSON.parse(await readFile(file, 'utf8')) as { budgets: Array<{ budgetId: string; spentNanos: string }> };
  return document.budgets.find((b) => b.budgetId === 'default/durable-total')?.spentNanos;
}

describe('spend survives restarts (--state-file)', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let stateFile: string;
  const started: GatewayProcess[] = [];
  const start = async (): Promise<GatewayProcess> => {
    const gateway = await startGateway({ manifests, args: ['--state-file', stateFile] });
    started.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    dir = await scratchDir();
    stateFile = join(dir.path, 'spend.json');
  });
  afterAll(async () => {
    for (const gateway of started) await gateway.stop();
    await dir?.remove();
  });

  it('keeps spend across a graceful restart', async () => {
    const first = await start();
    // Each answer costs (2 + 100) tokens x $10 per million = $0.00102; the reservation is $0.00129.
    for (let i = 0; i < 2; i++)
      await openAIClient(first, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 100 });
    await first.stop();
    expect(await spentNanosOnDisk(stateFile)).toBe('2040000');

    const second = await start();
    expect(await metricValue(second, 'switchyard_budget_spent_usd', { budget: 'default/durable-total' })).toBeCloseTo(0.00204, 12);
    // $0.00204 + $0.00129 > $0.003: refused as the first gateway would have.
    await expect(
      openAIClient(second, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 100 }),
    ).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    await second.stop();
  });

  it('keeps spend settled before a kill -9', async () => {
    const victim = await start();
    // (2 + 1) tokens x $10 per million = $0.00003
    await openAIClient(victim, key).chat.completions.create({ model: 'metered', messages: HELLO, max_tokens: 1 });
    await new Promise((r) => setTimeout(r, 600));
    const exited = new Promise((r) => victim.process.once('exit', r));
    victim.process.kill('SIGKILL');
    await exited;
    expect(await spentNanosOnDisk(stateFile)).toBe('2070000');

    const survivor = await start();
    expect(await metricValue(survivor, 'switchyard_budget_spent_usd', { budget: 'default/durable-total' })).toBeCloseTo(0.00207, 12);
  });
});
