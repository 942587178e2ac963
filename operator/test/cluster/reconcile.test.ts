// Reconciliation details against a real API server, with the operator in-process so its table
// and metrics can be inspected: CRD rejections, conflicts, status-only events, condition
// transitions, key rotation when a generated Secret is deleted, and tenancy.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseOperatorFlags } from '../../src/cli/operator-flags.js';
import { createLogger } from '../../src/observe/logger.js';
import { startOperator, type RunningOperator } from '../../src/run-operator.js';
import { conditionOf, startTestCluster, type TestCluster } from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';
import { delay, waitFor } from '../support/wait-for.js';

type Obj = Record<string, any>;

async function counterTotal(counter: { get(): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describeWithControlPlane('operator reconciliation against a real API server', () => {
  let cluster: TestCluster;
  let operator: RunningOperator;

  const get = (kind: string, name: string, namespace = 'default') => cluster.getJson<Obj>([kind, name, '-n', namespace]);
  const condition = async (kind: string, name: string, type: string, namespace = 'default') =>
    conditionOf(await get(kind, name, namespace), type);

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl(['create', 'namespace', 'team-a']);
    await cluster.kubectl(['create', 'namespace', 'team-b']);
    const flags = parseOperatorFlags([
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--listen',
      '127.0.0.1:0',
      '--health-port',
      '0',
      '--shared-namespace',
      'default',
      '--leader-election-namespace',
      'default',
      '--replica-id',
      'in-process',
    ]);
    operator = await startOperator(flags, { logger: createLogger({ level: 'warn' }), compileDebounceMs: 20 });
    await operator.controller.whenReady();
    await waitFor('leadership', () => operator.election.isLeader);
  }, 240_000);

  afterAll(async () => {
    await operator?.close();
    await cluster?.stop();
  }, 60_000);

  it('leaves invalid manifests to the API server, which rejects them with the CRD messages', async () => {
    const rejected = async (yaml: string) => {
      const result = await cluster.plane.kubectl(['apply', '-f', '-'], yaml);
      expect(result.code).not.toBe(0);
      return result.stderr;
    };
    expect(
      await rejected(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: dup, namespace: default}
spec:
  model: dup
  backends:
  - {name: same, provider: mock, model: a}
  - {name: same, provider: mock, model: b}
`),
    ).toContain('backend names must be unique within the route');
    expect(
      await rejected(`
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: nothing-allowed, namespace: default}
spec: {secretName: x, allowedModels: []}
`),
    ).toContain('allowedModels must not be empty; omit it to allow every model');
    expect(
      await rejected(`
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: float-money, namespace: default}
spec: {selector: {matchLabels: {team: x}}, limit: "1e3"}
`),
    ).toMatch(/spec\.limit.*should match '\^\[0-9\]\+/);
  });

  it('accepts the older of two routes claiming one model and marks the newer Conflict', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: first, namespace: default}
spec: {model: contested, backends: [{name: a, provider: mock, model: a}]}
`);
    await waitFor('first accepted', async () => (await condition('modelroute', 'first', 'Accepted'))?.status === 'True');
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: second, namespace: default}
spec: {model: other, aliases: [contested], backends: [{name: b, provider: mock, model: b}]}
`);
    const conflict = await waitFor('second rejected', async () => {
      const accepted = await condition('modelroute', 'second', 'Accepted');
      return accepted?.status === 'False' ? accepted : undefined;
    });
    expect(conflict.reason).toBe('Conflict');
    expect(conflict.message).toContain('already claimed by the older ModelRoute default/first');
    expect(await condition('modelroute', 'second', 'Programmed')).toMatchObject({ status: 'False', reason: 'NotAccepted' });
    expect((await condition('modelroute', 'first', 'Accepted'))?.status).toBe('True');
    expect(operator.controller.table?.routes['default/second']).toBeUndefined();
    const events = JSON.stringify(await cluster.getJson(['events', '-n', 'default', '--field-selector', 'involvedObject.name=second']));
    expect(events).toContain('"type":"Warning"');
    expect(events).toContain('"reason":"Conflict"');

    // The older route leaves; the newer one takes the name.
    await cluster.kubectl(['delete', 'modelroute', 'first', '-n', 'default']);
    await waitFor('second accepted', async () => (await condition('modelroute', 'second', 'Accepted'))?.status === 'True');
  });

  it('names the missing Secret and key in Accepted=False (NoBackends), and accepts the route once the Secret exists', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: local, namespace: default}
spec:
  model: local
  backends:
  - {name: local, provider: openai, model: gpt-4o, credentials: [{secretRef: {name: local-secret, key: apiKey}}]}
`);
    const accepted = await waitFor('local rejected', async () => {
      const current = await condition('modelroute', 'local', 'Accepted');
      return current?.status === 'False' ? current : undefined;
    });
    expect(accepted.reason).toBe('NoBackends');
    expect(accepted.message).toBe(
      'no backend left: every backend is missing its credentials; backend local: Secret default/local-secret not found (needed for key "apiKey")',
    );
    expect(await condition('modelroute', 'local', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });

    await cluster.kubectl(['create', 'secret', 'generic', 'local-secret', '-n', 'default', '--from-literal=apiKey=sk-local']);
    await waitFor('local accepted', async () => (await condition('modelroute', 'local', 'Accepted'))?.status === 'True');
    expect(JSON.stringify(await get('modelroute', 'local'))).not.toContain('sk-local');
    await cluster.kubectl(['delete', 'modelroute', 'local', '-n', 'default']);
  });

  it('does not compile for status-only changes and keeps conditions it does not own', async () => {
    await operator.controller.settle();
    const compilesBefore = await counterTotal(operator.metrics.compiles);
    await cluster.kubectl([
      'patch',
      'modelroute',
      'second',
      '-n',
      'default',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          conditions: [
            ...(await get('modelroute', 'second')).status.conditions,
            {
              type: 'Audited',
              status: 'True',
              reason: 'Manual',
              message: 'checked by a human',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      }),
    ]);
    await delay(500);
    await operator.controller.settle();
    expect(await counterTotal(operator.metrics.compiles)).toBe(compilesBefore);

    const acceptedBefore = await condition('modelroute', 'second', 'Accepted');
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: second, namespace: default}
spec: {model: other, aliases: [contested], defaultMaxTokens: 100, backends: [{name: b, provider: mock, model: b}]}
`);
    const after = await waitFor('generation 2 observed', async () => {
      const current = await get('modelroute', 'second');
      return current.status?.observedGeneration === 2 ? current : undefined;
    });
    expect(await counterTotal(operator.metrics.compiles)).toBeGreaterThan(compilesBefore);
    expect(conditionOf(after, 'Audited')).toMatchObject({ status: 'True', reason: 'Manual' });
    // Still Accepted: the transition time stays, only observedGeneration moves.
    expect(conditionOf(after, 'Accepted')).toMatchObject({
      status: 'True',
      observedGeneration: 2,
      lastTransitionTime: acceptedBefore?.lastTransitionTime,
    });
  });

  it('generates a new key when a generated Secret is deleted', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: rotate-me, namespace: default}
spec: {secretName: rotate-me-key}
`);
    const readKey = async () => {
      const secret = await cluster.getJson<Obj>(['secret', 'rotate-me-key', '-n', 'default']);
      return Buffer.from(secret.data.key as string, 'base64').toString('utf8');
    };
    const first = await waitFor('first key', () => readKey());
    await waitFor('first hint', async () => (await get('virtualkey', 'rotate-me')).status?.keyHint === `sk-sy-...${first.slice(-4)}`);
    await cluster.kubectl(['delete', 'secret', 'rotate-me-key', '-n', 'default']);
    const second = await waitFor('a new key', async () => {
      const key = await readKey();
      return key !== first ? key : undefined;
    });
    expect(second).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);
    await waitFor('new hint', async () => (await get('virtualkey', 'rotate-me')).status?.keyHint === `sk-sy-...${second.slice(-4)}`);
    await waitFor('the table holds the new key only', () => {
      const key = operator.controller.table?.keys.find((k) => k.id === 'default/rotate-me');
      return key?.keyHint === `sk-sy-...${second.slice(-4)}`;
    });
  });

  it('scopes keys to their namespace plus the shared namespaces, and budgets to their own namespace', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: a-only, namespace: team-a}
spec: {model: team-a-model, backends: [{name: a, provider: mock, model: a}]}
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: b-only, namespace: team-b}
spec: {model: team-b-model, backends: [{name: b, provider: mock, model: b}]}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: alice, namespace: team-a, labels: {team: a}}
spec: {secretName: alice-key}
---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: team-a-budget, namespace: team-a}
spec: {selector: {matchLabels: {team: a}}, limit: "10.00"}
`);
    const table = await waitFor('team-a key compiled with its budget', () => {
      const current = operator.controller.table;
      return current?.keys.find((k) => k.id === 'team-a/alice')?.budgetIds.includes('team-a/team-a-budget') ? current : undefined;
    });
    expect(table.modelsByNamespace['team-a']?.['team-a-model']).toBe('team-a/a-only');
    expect(table.modelsByNamespace['team-a']?.['other']).toBe('default/second'); // shared namespace
    expect(table.modelsByNamespace['team-a']?.['team-b-model']).toBeUndefined();
    await waitFor('budget accepted', async () => (await condition('budget', 'team-a-budget', 'Accepted', 'team-a'))?.status === 'True');

    // A label change (no new generation) still recompiles: budgets select keys by label.
    await cluster.kubectl(['label', 'virtualkey', 'alice', '-n', 'team-a', 'team=other', '--overwrite']);
    await waitFor(
      'key left the budget',
      () => operator.controller.table?.keys.find((k) => k.id === 'team-a/alice')?.budgetIds.length === 0,
    );
  });
});
