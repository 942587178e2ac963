// Cluster spend path end to end against a real kube-apiserver: an operator, two gateway
// processes in cluster mode, the OpenAI SDK as client. Gateways report usage batches; the
// leader writes Budget.status.spent with resourceVersion preconditions and pushes snapshots
// back. The steps build on each other, in order.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { formatNanosAsUsd, parseMoneyNanos } from '@switchyard/compiler';
import { findFreePorts } from '../support/free-ports.js';
import {
  conditionOf,
  readyz,
  startClusterGateway,
  startOperatorProcess,
  startTestCluster,
  type GatewayProcess,
  type OperatorProcess,
  type TestCluster,
} from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';
import { METERED_ANSWER_NANOS, METERED_ROUTE_AND_PAYER } from '../support/spend-manifests.js';
import { delay, waitFor } from '../support/wait-for.js';

const GATEWAY_SA = 'switchyard-gateway';
const SYSTEM = 'switchyard-system';

const manifests = `${METERED_ROUTE_AND_PAYER}---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: payments-monthly, namespace: default}
spec:
  selector: {matchLabels: {team: payments}}
  limit: "0.012"
  period: Monthly
  enforcement: Block
---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: payments-watch, namespace: default}
spec:
  selector: {matchLabels: {team: payments}}
  limit: "0.003"
  period: Monthly
  enforcement: Warn
`;

interface BudgetView {
  status?: { spent?: string; periodStart?: string; lastAppliedBatches?: Array<{ bootId: string; seq: number }> };
}

describeWithControlPlane('cluster spend: two gateways report to the operator, which writes Budget status', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let listenPort: number;
  let tokenFile: string;
  let operatorKubeconfig: string;
  let apiKey = '';
  const gateways: GatewayProcess[] = [];
  /** Sum of x-switchyard-cost-usd of every answered request, in nano-dollars. */
  let charged = 0n;

  const startOperator = (replicaId: string) =>
    startOperatorProcess({
      kubeconfigPath: operatorKubeconfig,
      listenPort,
      replicaId,
      leaderElectionNamespace: SYSTEM,
      args: [
        '--gateway-service-account',
        `${SYSTEM}/${GATEWAY_SA}`,
        '--lease-duration',
        '4s',
        '--renew-deadline',
        '3s',
        '--retry-period',
        '1s',
      ],
    });
  const spentOf = async (name: string): Promise<bigint | undefined> => {
    const budget = await cluster.getJson<BudgetView>(['budget', name, '-n', 'default']);
    return budget.status?.spent === undefined ? undefined : parseMoneyNanos(budget.status.spent);
  };
  const waitForSpent = (name: string, nanos: bigint) =>
    waitFor(`Budget ${name} spent = ${formatNanosAsUsd(nanos)}`, async () => (await spentOf(name)) === nanos, 20_000, 200);
  const client = (gateway: GatewayProcess) => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
  const ask = async (gateway: GatewayProcess): Promise<void> => {
    const { response } = await client(gateway)
      .chat.completions.create({ model: 'metered', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 })
      .withResponse();
    const cost = response.headers.get('x-switchyard-cost-usd');
    expect(cost).not.toBeNull();
    charged += parseMoneyNanos(cost as string);
  };
  const postReports = async (body: unknown): Promise<number> => {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const res = await fetch(`${operator.listenUrl}/v1/usage-reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const gatewayReady = (gateway: GatewayProcess) =>
    waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200, 30_000);

  beforeAll(async () => {
    cluster = await startTestCluster();
    [listenPort] = (await findFreePorts(1)) as [number];
    operatorKubeconfig = await cluster.operatorKubeconfig();
    tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    operator = await startOperator('operator-a');
    await cluster.apply(manifests);
    const secret = await waitFor('the generated key Secret', async () => {
      const list = await cluster.getJson<{ items: Array<{ metadata: { name: string }; data?: { key?: string } }> }>([
        'secrets',
        '-n',
        'default',
      ]);
      return list.items.find((s) => s.metadata.name === 'payer-key');
    });
    apiKey = Buffer.from(secret.data?.key ?? '', 'base64').toString('utf8');
    for (const name of ['gateway-1', 'gateway-2'])
      gateways.push(await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name }));
    for (const gateway of gateways) await gatewayReady(gateway);
  }, 240_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.process.stop();
    await operator?.process.stop();
    await cluster?.stop();
  }, 120_000);

  it('writes spent = the sum of the cost headers of both gateways, shown by kubectl get budget', async () => {
    // A new Budget gets spent 0 and Exceeded=False before any request.
    await waitForSpent('payments-monthly', 0n);
    for (let i = 0; i < 2; i++) for (const gateway of gateways) await ask(gateway);
    expect(charged).toBe(4n * METERED_ANSWER_NANOS);
    await waitForSpent('payments-monthly', charged);
    await waitForSpent('payments-watch', charged);
    const table = await cluster.kubectl(['get', 'budget', 'payments-monthly', '-n', 'default']);
    expect(table).toMatch(/SPENT\s+LIMIT\s+PERIOD/);
    expect(table).toContain(formatNanosAsUsd(charged));
    const monthly = await cluster.getJson<BudgetView>(['budget', 'payments-monthly', '-n', 'default']);
    expect(monthly.status?.periodStart).toBe(`${new Date().toISOString().slice(0, 8)}01T00:00:00Z`);
    expect(monthly.status?.lastAppliedBatches?.length).toBeGreaterThanOrEqual(1);
    expect(conditionOf(monthly, 'Exceeded')).toMatchObject({ status: 'False', reason: 'WithinLimit' });
    // The Warn budget ($0.003) is past its limit: Exceeded=True, requests still admitted.
    const watch = await waitFor('Warn budget Exceeded=True', async () => {
      const current = await cluster.getJson(['budget', 'payments-watch', '-n', 'default']);
      return conditionOf(current, 'Exceeded')?.status === 'True' ? current : undefined;
    });
    expect(conditionOf(watch, 'Exceeded')?.reason).toBe('LimitReached');
  });

  it('applies a retried report (same bootId and seq) once', async () => {
    const report = {
      bootId: 'retry-test-boot',
      seq: 1,
      createdAt: new Date().toISOString(),
      entries: [
        {
          budgetId: 'default/payments-watch',
          periodStart: `${new Date().toISOString().slice(0, 8)}01T00:00:00.000Z`,
          costNanos: '7',
          requests: 1,
        },
      ],
    };
    const before = (await spentOf('payments-watch')) as bigint;
    expect(await postReports({ reports: [report] })).toBe(200);
    expect(await postReports({ reports: [report] })).toBe(200);
    await waitForSpent('payments-watch', before + 7n);
    // Once more after it was written: the Budget's lastAppliedBatches stops it.
    expect(await postReports({ reports: [report] })).toBe(200);
    await delay(3000);
    expect(await spentOf('payments-watch')).toBe(before + 7n);
    const watch = await cluster.getJson<BudgetView>(['budget', 'payments-watch', '-n', 'default']);
    expect(watch.status?.lastAppliedBatches).toContainEqual(expect.objectContaining({ bootId: 'retry-test-boot', seq: 1 }));
    // Malformed reports are refused, naming the problem.
    expect(await postReports({ reports: [{ ...report, seq: -1 }] })).toBe(400);
  });

  it('keeps spend when a gateway is killed (-9) after its reports were applied, and restarted', async () => {
    await ask(gateways[0] as GatewayProcess);
    await waitForSpent('payments-monthly', charged);
    await delay(2500); // the acknowledging snapshot reaches the gateway
    await (gateways[0] as GatewayProcess).process.kill();
    gateways[0] = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name: 'gateway-1' });
    await gatewayReady(gateways[0]);
    await delay(3000);
    expect(await spentOf('payments-monthly')).toBe(charged);
  });

  it('keeps spend and enforcement when the operator restarts', async () => {
    await operator.process.stop();
    operator = await startOperator('operator-a2');
    await delay(3000);
    expect(await spentOf('payments-monthly')).toBe(charged);
    // Reports reach the new leader through the gateways' retries.
    await ask(gateways[1] as GatewayProcess);
    await waitForSpent('payments-monthly', charged);
  }, 60_000);

  /** Both gateways' spent gauges show everything charged so far (their own and, by snapshot, the other's). */
  const gatewaysKnowCharged = async (): Promise<void> => {
    for (const gateway of gateways) {
      await waitFor(
        `the gateway at ${gateway.url} knows ${formatNanosAsUsd(charged)} was spent`,
        async () => {
          const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
          const line = metrics
            .split('\n')
            .find((entry) => entry.startsWith('switchyard_budget_spent_usd{') && entry.includes('payments-monthly'));
          return line !== undefined && parseMoneyNanos(line.slice(line.lastIndexOf(' ') + 1)) >= charged;
        },
        20_000,
        200,
      );
    }
  };

  it('refuses with 429 budget_exceeded from both gateways once the Block budget is spent', async () => {
    let refusedBy: number | undefined;
    for (let i = 0; i < 20 && refusedBy === undefined; i++) {
      const index = i % 2;
      try {
        await ask(gateways[index] as GatewayProcess);
      } catch (error) {
        expect(error).toMatchObject({ status: 429, code: 'budget_exceeded' });
        refusedBy = index;
      }
      // Each gateway learns the other's spend through the operator's snapshots: the next request
      // waits until both show it. The bound below is then about admission itself, not about how
      // long a loaded machine takes to deliver a snapshot (it once took more than one request).
      if (refusedBy === undefined) await gatewaysKnowCharged();
    }
    expect(refusedBy).toBeDefined();
    // Then each gateway is asked only once the operator's snapshot with all of it has reached it:
    // the overshoot bound below is about admissions on a stale view during the alternating phase,
    // not about how slowly a loaded machine delivers the last snapshot.
    await waitForSpent('payments-monthly', charged);
    await gatewaysKnowCharged();
    for (const gateway of gateways) {
      await waitFor(
        'both gateways refuse',
        async () => {
          // An admitted request (the snapshot not there yet) is charged like any other.
          const outcome = await ask(gateway).then(
            () => undefined,
            (error: unknown) => error as { status?: number; code?: string },
          );
          return outcome?.status === 429 && outcome.code === 'budget_exceeded';
        },
        15_000,
        500,
      );
    }
    await waitForSpent('payments-monthly', charged);
    // Admission refuses once spent plus the request's estimate passes the limit, so with current
    // views at most one answer ends past it.
    expect(charged).toBeLessThanOrEqual(parseMoneyNanos('0.012') + METERED_ANSWER_NANOS);
  }, 60_000);
});
