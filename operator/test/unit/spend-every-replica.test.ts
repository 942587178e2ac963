// Every operator replica applies usage reports: two aggregators share one (fake) API server,
// whose status PATCH honours the resourceVersion precondition like the real one.
import { describe, expect, it } from '@jest/globals';
import type { CompiledBudget } from '@switchyard/compiler';
import { KubeApiError } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/resources.js';
import { readBudgetSpendStatus } from '../../src/spend/budget-spend-status.js';
import { SpendAggregator } from '../../src/spend/spend-aggregator.js';
import { answerUsageReports } from '../../src/spend/usage-report-endpoint.js';
import type { SpendSnapshot, UsageReport } from '../../src/spend/usage-report-message.js';

const budget: CompiledBudget = {
  id: 'default/team',
  namespace: 'default',
  name: 'team',
  generation: 1,
  limitNanos: '1000000',
  period: 'Daily',
  enforcement: 'Block',
};
const DAY = Date.parse('2025-03-10T00:00:00Z');
const NOON = DAY + 12 * 3_600_000;
const PATH = '/apis/switchyard.dev/v1alpha1/namespaces/default/budgets/team';

type BudgetObject = KubeObject & { status?: unknown };

/** One Budget behind GET and merge-PATCH of its status; `beforePatch` may change it first (another writer). */
class FakeBudgetApi {
  object: BudgetObject = {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'Budget',
    metadata: { name: 'team', namespace: 'default', generation: 1, resourceVersion: '1' },
  };
  patches = 0;
  conflicts = 0;
  beforePatch: (() => void) | undefined;

  get = <T>(path: string): Promise<T> => {
    if (path !== PATH) return Promise.reject(new KubeApiError('GET', path, 404, 'NotFound', ''));
    return Promise.resolve(structuredClone(this.object) as T);
  };

  patch = <T>(path: string, body: unknown): Promise<T> => {
    const hook = this.beforePatch;
    this.beforePatch = undefined;
    hook?.();
    if (path !== `${PATH}/status`) return Promise.reject(new KubeApiError('PATCH', path, 404, 'NotFound', ''));
    const patch = body as { metadata: { resourceVersion: string }; status: Record<string, unknown> };
    if (patch.metadata.resourceVersion !== this.object.metadata.resourceVersion) {
      this.conflicts += 1;
      return Promise.reject(new KubeApiError('PATCH', path, 409, 'Conflict', 'the object has been modified'));
    }
    this.write(patch.status);
    return Promise.resolve(structuredClone(this.object) as T);
  };

  write(status: Record<string, unknown>): void {
    this.patches += 1;
    const version = Number(this.object.metadata.resourceVersion) + 1;
    this.object = {
      ...this.object,
      metadata: { ...this.object.metadata, resourceVersion: String(version) },
      status: { ...(this.object.status as object | undefined), ...status },
    };
  }

  get spentNanos(): bigint {
    return readBudgetSpendStatus(this.object.status).spentNanos;
  }
}

const report = (bootId: string, seq: number, costNanos: number): UsageReport => ({
  bootId,
  seq,
  createdAt: new Date(NOON).toISOString(),
  entries: [{ budgetId: budget.id, periodStart: new Date(DAY).toISOString(), costNanos: String(costNanos), requests: 1 }],
});

function replica(api: FakeBudgetApi): { aggregator: SpendAggregator; snapshots: SpendSnapshot[] } {
  const snapshots: SpendSnapshot[] = [];
  const aggregator = new SpendAggregator({ client: api, budgets: () => [budget], nowMs: () => NOON, onSnapshot: (s) => snapshots.push(s) });
  return { aggregator, snapshots };
}

describe('spend path on every operator replica', () => {
  it('answers 200 on any replica, with the snapshot once it has flushed', async () => {
    const api = new FakeBudgetApi();
    const { aggregator } = replica(api);
    expect(answerUsageReports(aggregator, { reports: [report('boot-a', 1, 5)] })).toEqual({
      status: 200,
      body: { accepted: 1, snapshot: null },
    });
    await aggregator.flush();
    const answer = answerUsageReports(aggregator, { reports: [] });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      snapshot: { budgets: [{ budgetId: budget.id, spentNanos: '5' }], appliedReports: { 'boot-a': 1 } },
    });
    expect(answerUsageReports(aggregator, { reports: 'nope' }).status).toBe(400);
  });

  it('sums the reports two replicas apply to one Budget, each write batched per flush', async () => {
    const api = new FakeBudgetApi();
    const a = replica(api);
    const b = replica(api);
    a.aggregator.accept([report('boot-a', 1, 5), report('boot-a', 2, 6)]);
    b.aggregator.accept([report('boot-b', 1, 7)]);
    await a.aggregator.flush();
    await b.aggregator.flush();
    expect(api.spentNanos).toBe(18n);
    expect(api.patches).toBe(2);
    const applied = readBudgetSpendStatus(api.object.status).lastAppliedBatches.map((x) => [x.bootId, x.seq]);
    expect(applied).toEqual(
      expect.arrayContaining([
        ['boot-a', 2],
        ['boot-b', 1],
      ]),
    );
    expect(a.snapshots.at(-1)?.appliedReports).toEqual({ 'boot-a': 2 });
    expect(b.snapshots.at(-1)?.appliedReports).toEqual({ 'boot-b': 1 });
  });

  it('applies a batch resent to the other replica once', async () => {
    const api = new FakeBudgetApi();
    const a = replica(api);
    const b = replica(api);
    a.aggregator.accept([report('boot-a', 1, 5)]);
    await a.aggregator.flush();
    // The gateway's POST reached the other replica before the acknowledgement reached the gateway.
    b.aggregator.accept([report('boot-a', 1, 5), report('boot-a', 2, 3)]);
    await b.aggregator.flush();
    expect(api.spentNanos).toBe(8n);
    expect(b.snapshots.at(-1)?.appliedReports).toEqual({ 'boot-a': 2 });
  });

  it('re-reads on 409 when the other replica wrote between its read and its write', async () => {
    const api = new FakeBudgetApi();
    const a = replica(api);
    const b = replica(api);
    await a.aggregator.flush(); // both have read the Budget once
    await b.aggregator.flush();
    a.aggregator.accept([report('boot-a', 1, 5)]);
    b.aggregator.accept([report('boot-b', 1, 7)]);
    const aFlush = a.aggregator.flush();
    // A's GET happened; B writes before A's PATCH, so A's precondition fails and A reads again.
    api.beforePatch = () => {
      const current = readBudgetSpendStatus(api.object.status);
      api.write({ spent: '0.000000007', lastAppliedBatches: [...current.lastAppliedBatches, { bootId: 'boot-b', seq: 1 }] });
    };
    await aFlush;
    await b.aggregator.flush(); // B's own write finds boot-b seq 1 applied and changes nothing
    expect(api.conflicts).toBe(1);
    expect(api.spentNanos).toBe(12n);
  });

  it('pushes the spend other replicas wrote, seen through the Budget watch, to its own gateways', async () => {
    const api = new FakeBudgetApi();
    const a = replica(api);
    const b = replica(api);
    await b.aggregator.flush();
    const before = b.snapshots.length;
    a.aggregator.accept([report('boot-a', 1, 9)]);
    await a.aggregator.flush();
    await b.aggregator.flush();
    expect(b.snapshots.length).toBe(before); // B wrote nothing and saw nothing new
    b.aggregator.observeBudget(api.object);
    await b.aggregator.flush();
    expect(b.snapshots.at(-1)?.budgets).toEqual([{ budgetId: budget.id, periodStart: new Date(DAY).toISOString(), spentNanos: '9' }]);
    // Only A wrote boot-a's batch, so only A acknowledges it.
    expect(b.snapshots.at(-1)?.appliedReports).toEqual({});
    // A stale watch event (older than what B knows) changes nothing.
    const count = b.snapshots.length;
    b.aggregator.observeBudget({ ...api.object, status: { ...(api.object.status as object), spent: '0.000000001' } });
    await b.aggregator.flush();
    expect(b.snapshots.length).toBe(count);
  });
});
