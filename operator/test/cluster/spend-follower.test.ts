// Cluster spend path with two operator replicas against a real kube-apiserver: one gateway talks
// only to the follower, one only to the leader. The follower applies its gateway's usage reports
// (no 503) and pushes that gateway snapshots that include what the leader wrote.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { formatNanosAsUsd, parseMoneyNanos } from '@switchyard/compiler';
import { findFreePorts } from '../support/free-ports.js';
import {
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

// $0.005: the follower's gateway alone (one answer) stays far below it; with the leader's
// gateway's four answers the total passes it.
const manifests = `${METERED_ROUTE_AND_PAYER}---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: shared-total, namespace: default}
spec:
  selector: {matchLabels: {team: payments}}
  # Five answers ($0.00505) fit even when a gateway already knows every earlier charge (the
  # leader's fourth request reserves about $0.0011 on top of $0.00404), while a sixth does not.
  limit: "0.0055"
  period: Total
  enforcement: Block
`;

interface BudgetView {
  status?: { spent?: string; lastAppliedBatches?: Array<{ bootId: string; seq: number }> };
}

describeWithControlPlane('cluster spend: a gateway connected to the follower replica', () => {
  let cluster: TestCluster;
  let leader: OperatorProcess;
  let follower: OperatorProcess;
  let onFollower: GatewayProcess;
  let onLeader: GatewayProcess;
  let apiKey = '';
  let charged = 0n;

  const startReplica = async (replicaId: string, kubeconfigPath: string): Promise<OperatorProcess> => {
    const [listenPort] = (await findFreePorts(1)) as [number];
    return startOperatorProcess({
      kubeconfigPath,
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
  };
  const spentOf = async (): Promise<bigint | undefined> => {
    const budget = await cluster.getJson<BudgetView>(['budget', 'shared-total', '-n', 'default']);
    return budget.status?.spent === undefined ? undefined : parseMoneyNanos(budget.status.spent);
  };
  const waitForSpent = (nanos: bigint) =>
    waitFor(`Budget spent = ${formatNanosAsUsd(nanos)}`, async () => (await spentOf()) === nanos, 20_000, 200);
  const ask = async (gateway: GatewayProcess): Promise<void> => {
    const client = new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
    const { response } = await client.chat.completions
      .create({ model: 'metered', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 })
      .withResponse();
    const cost = response.headers.get('x-switchyard-cost-usd');
    expect(cost).not.toBeNull();
    charged += parseMoneyNanos(cost as string);
  };
  const isLeader = async (replica: OperatorProcess) => (await readyz(replica.healthUrl)).body.leader === true;

  beforeAll(async () => {
    cluster = await startTestCluster();
    const kubeconfig = await cluster.operatorKubeconfig();
    const tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    leader = await startReplica('operator-a', kubeconfig);
    await cluster.apply(manifests);
    await waitFor('operator-a leads', async () => (await readyz(leader.healthUrl)).status === 200 && (await isLeader(leader)), 30_000);
    follower = await startReplica('operator-b', kubeconfig);
    await waitFor('operator-b ready', async () => (await readyz(follower.healthUrl)).status === 200, 30_000);
    const secret = await waitFor('the generated key Secret', async () => {
      const list = await cluster.getJson<{ items: Array<{ metadata: { name: string }; data?: { key?: string } }> }>([
        'secrets',
        '-n',
        'default',
      ]);
      return list.items.find((s) => s.metadata.name === 'payer-key');
    });
    apiKey = Buffer.from(secret.data?.key ?? '', 'base64').toString('utf8');
    onFollower = await startClusterGateway({ controlPlaneUrl: follower.listenUrl, tokenFile, name: 'gateway-on-follower' });
    onLeader = await startClusterGateway({ controlPlaneUrl: leader.listenUrl, tokenFile, name: 'gateway-on-leader' });
    for (const gateway of [onFollower, onLeader])
      await waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200, 30_000);
  }, 240_000);

  afterAll(async () => {
    for (const gateway of [onFollower, onLeader]) await gateway?.process.stop();
    await follower?.process.stop();
    await leader?.process.stop();
    await cluster?.stop();
  }, 120_000);

  it('records the spend of the gateway whose only replica is the follower', async () => {
    expect(await isLeader(follower)).toBe(false);
    await waitForSpent(0n);
    await ask(onFollower);
    expect(charged).toBe(METERED_ANSWER_NANOS);
    await waitForSpent(charged);
    const budget = await cluster.getJson<BudgetView>(['budget', 'shared-total', '-n', 'default']);
    expect(budget.status?.lastAppliedBatches?.length).toBe(1);
    expect(await isLeader(follower)).toBe(false);
  });

  it("pushes the leader's writes to the follower's gateway, which then refuses", async () => {
    for (let i = 0; i < 4; i++) await ask(onLeader);
    expect(charged).toBe(5n * METERED_ANSWER_NANOS);
    await waitForSpent(charged);
    // The follower sees the write through its Budget watch and sends a snapshot at its next flush (2 s).
    await delay(5000);
    // One request on its own would be admitted: the gateway knows only its own $0.00101 unless the snapshot arrived.
    const outcome = await ask(onFollower).then(
      () => undefined,
      (error: unknown) => error as { status?: number; code?: string },
    );
    expect(outcome).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(await spentOf()).toBe(charged);
  }, 60_000);
});
