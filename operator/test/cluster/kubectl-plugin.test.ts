// `kubectl switchyard` against a real kube-apiserver: the plugin runs as a child process
// (bin/kubectl-switchyard.mjs) with a kubeconfig file, beside the operator and a cluster-mode
// gateway as child processes. Keys are created, listed, disabled and rotated through the
// operator's generated Secrets; a request through the API server's service proxy charges a
// Budget that `spend` then shows; `status` reports a broken route. The steps build on each other.
//
// The service proxy needs a Service whose Endpoints name a Pod with the gateway's address: the
// test control plane has no kubelet, so the test writes the Pod status, the Service (no selector)
// and its Endpoints itself, pointing at the gateway process on this machine's non-loopback
// address (the API server refuses to proxy to loopback endpoints).
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseMoneyNanos } from '@switchyard/compiler';
import { locateControlPlaneBinaries } from '@switchyard/e2e';
import { parse as parseYaml } from 'yaml';
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
import { findFreePorts } from '../support/free-ports.js';
import { repoRoot, switchyardBin } from '../support/repo-paths.js';
import { METERED_ANSWER_NANOS, METERED_ROUTE_AND_PAYER } from '../support/spend-manifests.js';
import { waitFor } from '../support/wait-for.js';

type Obj = Record<string, any>;

const GATEWAY_SA = 'switchyard-gateway';
const SYSTEM = 'switchyard-system';
const pluginBin = join(repoRoot, 'bin', 'kubectl-switchyard.mjs');
const chartLabels = (component: string) => ({ 'app.kubernetes.io/part-of': 'switchyard', 'app.kubernetes.io/component': component });

/** The first IPv4 address of this machine that is not loopback: what the fake Pods "run" at. */
function hostAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  return undefined;
}

interface PluginResult {
  code: number;
  stdout: string;
  stderr: string;
}

function plugin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<PluginResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [pluginBin, ...args],
      { cwd: repoRoot, env: { ...process.env, KUBECONFIG: '', ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describeWithControlPlane('kubectl switchyard against a real API server', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let gateway: GatewayProcess;
  let kubeconfig: string;
  const address = hostAddress();
  /** `kubectl switchyard <args> --kubeconfig <admin>`; fails the test on a non-zero exit. */
  const ok = async (args: string[]): Promise<PluginResult> => {
    const result = await plugin([...args, '--kubeconfig', kubeconfig]);
    if (result.code !== 0) throw new Error(`kubectl switchyard ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result;
  };
  const json = async (args: string[]): Promise<Obj> => JSON.parse((await ok([...args, '-o', 'json'])).stdout) as Obj;
  const secretKey = async (name: string): Promise<string> => {
    const secret = await cluster.getJson<Obj>(['secret', name, '-n', 'default']);
    return Buffer.from(secret.data.key as string, 'base64').toString('utf8');
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
    kubeconfig = cluster.kubeconfigPath;
    const [listenPort] = (await findFreePorts(1)) as [number];
    const operatorKubeconfig = await cluster.operatorKubeconfig();
    const tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    operator = await startOperatorProcess({
      kubeconfigPath: operatorKubeconfig,
      listenPort,
      replicaId: 'operator-a',
      leaderElectionNamespace: SYSTEM,
      args: ['--gateway-service-account', `${SYSTEM}/${GATEWAY_SA}`],
    });
    await cluster.apply(`${METERED_ROUTE_AND_PAYER}---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: payments, namespace: default}
spec:
  selector: {matchLabels: {team: payments}}
  limit: "1.50"
  period: Monthly
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: broken, namespace: default}
spec:
  model: broken
  backends:
  - {name: openai, provider: openai, model: gpt-4o, credentials: [{secretRef: {name: missing-secret, key: apiKey}}]}
`);
    // Bound to every address, so the API server's proxy reaches it at the host's address.
    gateway = await startClusterGateway({
      controlPlaneUrl: `http://127.0.0.1:${listenPort}`,
      tokenFile,
      name: 'gateway-0',
      args: ['--host', '0.0.0.0'],
    });
    await waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200, 30_000);
  }, 240_000);

  afterAll(async () => {
    await gateway?.process.stop();
    await operator?.process.stop();
    await cluster?.stop();
  }, 120_000);

  it('prints its help as kubectl switchyard, and usage errors exit 2', async () => {
    const help = await plugin(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: kubectl switchyard <command>');
    for (const command of ['keys create NAME', 'keys rotate NAME', 'keys list', 'keys disable NAME', 'spend', 'status', 'try MODEL'])
      expect(help.stdout).toContain(command);
    const wrong = await plugin(['keys', 'create', 'x', '--by', 'key', '--kubeconfig', kubeconfig]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--by does not apply to keys create');
    const noConfig = await plugin(['keys', 'list'], { HOME: cluster.tempDir });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain('no kubeconfig');
  }, 90_000);

  it('runs as `kubectl switchyard` once kubectl-switchyard is on the PATH (what npm install -g does)', async () => {
    const binDir = join(cluster.tempDir, 'path-bin');
    await mkdir(binDir, { recursive: true });
    await symlink(pluginBin, join(binDir, 'kubectl-switchyard'));
    const kubectl = join(locateControlPlaneBinaries().binDir, 'kubectl');
    const result = await new Promise<PluginResult>((resolve) =>
      execFile(
        kubectl,
        ['switchyard', 'spend', '--kubeconfig', kubeconfig, '-o', 'json'],
        // The plugin's #!/usr/bin/env node finds this Node first.
        { env: { ...process.env, PATH: `${binDir}:${dirname(process.execPath)}:${process.env.PATH ?? ''}` }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }),
      ),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Obj).items.map((b: Obj) => b.name)).toEqual(['payments']);

    // The same commands under `switchyard`.
    const same = await new Promise<PluginResult>((resolve) =>
      execFile(
        process.execPath,
        [switchyardBin, 'spend', '--kubeconfig', kubeconfig, '-o', 'json'],
        { timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }),
      ),
    );
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toEqual(JSON.parse(result.stdout));
    const help = await new Promise<string>((resolve) =>
      execFile(process.execPath, [switchyardBin, '--help'], (_e, stdout) => resolve(stdout)),
    );
    for (const command of ['keys', 'spend', 'status', 'try']) expect(help).toMatch(new RegExp(`\\n  ${command} `));
  }, 90_000);

  let teamKey = '';
  /** The x-switchyard-cost-usd of every answered try, in nano-dollars: what the Budget must show. */
  let charged = 0n;

  it('keys create makes the VirtualKey, waits for the generated Secret and prints the key once', async () => {
    const created = await ok([
      'keys',
      'create',
      'team-a',
      '--models',
      'metered,other-*',
      '--rpm',
      '60',
      '--tpm',
      '5000',
      '--budget',
      'payments',
    ]);
    teamKey = created.stdout.trim().split('\n').at(-1) ?? '';
    expect(teamKey).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);
    expect(teamKey).toBe(await secretKey('team-a-key'));
    expect(created.stderr).toContain('Store this key now');
    const key = await cluster.getJson<Obj>(['virtualkey', 'team-a', '-n', 'default']);
    expect(key.spec).toEqual({
      secretName: 'team-a-key',
      disabled: false, // the CRD's default
      allowedModels: ['metered', 'other-*'],
      rateLimit: { requestsPerMinute: 60, tokensPerMinute: 5000 },
    });
    // --budget copied the Budget's selector labels, so the Budget counts the key.
    expect(key.metadata.labels).toEqual({ team: 'payments' });

    // A second create of the same name fails clearly and prints no key.
    const again = await plugin(['keys', 'create', 'team-a', '--secret-name', 'other-key', '--kubeconfig', kubeconfig]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('VirtualKey default/team-a already exists');
    expect(again.stdout).toBe('');
  }, 90_000);

  it('keys list shows models, limits, hint and readiness, never the key, in table, json and yaml', async () => {
    const ready = await waitFor('team-a Programmed', async () => {
      const items = (await json(['keys', 'list'])).items as Obj[];
      const item = items.find((i) => i.name === 'team-a');
      return item?.ready === 'True' ? items : undefined;
    });
    const teamA = ready.find((i) => i.name === 'team-a') as Obj;
    expect(teamA).toMatchObject({
      namespace: 'default',
      models: ['metered', 'other-*'],
      rateLimit: { requestsPerMinute: 60, tokensPerMinute: 5000 },
      keyHint: `sk-sy-...${teamKey.slice(-4)}`,
      disabled: false,
    });
    const table = await ok(['keys', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+MODELS\s+RPM\s+TPM\s+HINT\s+DISABLED\s+READY$/);
    expect(table.stdout).toMatch(/team-a\s+metered,other-\*\s+60\s+5000\s+sk-sy-\.\.\.\S{4}\s+false\s+True/);
    const yaml = parseYaml((await ok(['keys', 'list', '-o', 'yaml'])).stdout) as Obj;
    expect(yaml).toEqual({ items: ready });
    for (const output of [table.stdout, JSON.stringify(ready)]) {
      expect(output).not.toContain(teamKey);
      expect(output).not.toContain(await secretKey('payer-key'));
    }
  }, 90_000);

  it('try sends one chat completion through the API server service proxy and prints backend, attempts, latency and cost', async () => {
    if (address === undefined) {
      console.warn('SKIPPED the service proxy step: this machine has no non-loopback IPv4 address');
      return;
    }
    const port = Number(new URL(gateway.url).port);
    await cluster.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'gateway-0', namespace: SYSTEM, labels: chartLabels('gateway') },
        spec: { containers: [{ name: 'gateway', image: 'switchyard:test', ports: [{ name: 'http', containerPort: port }] }] },
      }),
    );
    await podRunningAt('gateway-0', address);
    await cluster.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'switchyard-gateway', namespace: SYSTEM, labels: chartLabels('gateway') },
            spec: { ports: [{ name: 'http', port: 80, targetPort: port }] },
          },
          {
            apiVersion: 'v1',
            kind: 'Endpoints',
            metadata: { name: 'switchyard-gateway', namespace: SYSTEM },
            subsets: [
              {
                addresses: [{ ip: address, targetRef: { kind: 'Pod', name: 'gateway-0', namespace: SYSTEM } }],
                ports: [{ name: 'http', port }],
              },
            ],
          },
        ],
      }),
    );

    const answer = await json(['try', 'metered', '--key', teamKey, '--prompt', 'hello']);
    expect(answer).toMatchObject({
      model: 'metered',
      // The key's namespace has no gateway Service: the one in the gateways' namespace is found.
      via: `service ${SYSTEM}/switchyard-gateway:http (API-server proxy)`,
      backend: 'mock-metered',
      attempts: 1,
      usage: { outputTokens: 100 },
    });
    // 100 output tokens at $10 per million plus the input's: the cost header, priced by the gateway.
    expect(parseMoneyNanos(answer.costUsd as string)).toBeGreaterThan(METERED_ANSWER_NANOS - 10_000n);
    charged += parseMoneyNanos(answer.costUsd as string);
    expect(answer.answer).toBe('abcd'.repeat(100));
    expect(typeof answer.latencyMs).toBe('number');

    const table = await ok(['try', 'metered', '--key-from-secret', 'team-a-key']);
    expect(table.stdout.startsWith('abcd')).toBe(true);
    expect(table.stdout).toMatch(/BACKEND\s+ATTEMPTS\s+LATENCY\s+COST/);
    const row = /mock-metered\s+1\s+\d+ms\s+\$(0\.\d+)/.exec(table.stdout);
    expect(row).not.toBeNull();
    charged += parseMoneyNanos(row?.[1] ?? '');
    expect(table.stdout).not.toContain(teamKey);

    // A model the key may not use: the gateway's own error, through the proxy.
    const refused = await plugin(['try', 'broken', '--key', teamKey, '--kubeconfig', kubeconfig]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the gateway answered 4\d\d/);
    expect(refused.stderr).not.toContain(teamKey);
  }, 90_000);

  it('try --server-url goes straight to a gateway (a port-forward) without any kubeconfig', async () => {
    const answer = JSON.parse(
      (await plugin(['try', 'metered', '--server-url', gateway.url, '--key', teamKey, '-o', 'json'], { HOME: cluster.tempDir })).stdout,
    ) as Obj;
    expect(answer).toMatchObject({ backend: 'mock-metered', attempts: 1, via: gateway.url });
    charged += parseMoneyNanos(answer.costUsd as string);
  }, 90_000);

  it('spend shows the Budget with period, spent, limit and remaining; --by key is refused with the reason', async () => {
    // Every answered try was charged to the Budget, which selects the key by the label --budget set.
    const spent = charged;
    expect(spent).toBeGreaterThan(0n);
    const view = await waitFor('Budget spend reported', async () => {
      const items = (await json(['spend'])).items as Obj[];
      const budget = items.find((i) => i.name === 'payments');
      return budget !== undefined && parseMoneyNanos(budget.spent as string) === spent ? budget : undefined;
    });
    const limit = parseMoneyNanos('1.5');
    expect(parseMoneyNanos(view.remaining as string)).toBe(limit - spent);
    expect(view).toMatchObject({ period: 'Monthly', limit: '1.5', enforcement: 'Block', exceeded: 'False' });
    expect(view.periodStart).toMatch(/^\d{4}-\d{2}-01T00:00:00/);
    const table = await ok(['spend']);
    expect(table.stdout.split('\n')[0]).toMatch(/^BUDGET\s+PERIOD\s+PERIOD START\s+RESETS\s+SPENT\s+LIMIT\s+REMAINING/);
    expect(table.stdout).toContain(`$${view.spent as string}`);
    expect(table.stdout).toContain(`$${view.remaining as string}`);
    const byKey = await plugin(['spend', '--by', 'key', '--kubeconfig', kubeconfig]);
    expect(byKey.code).toBe(2);
    expect(byKey.stderr).toContain('spend is recorded per Budget only');
  }, 90_000);

  it('keys disable and enable flip spec.disabled, and the gateway refuses the disabled key', async () => {
    expect((await ok(['keys', 'disable', 'team-a'])).stdout).toBe('virtualkey default/team-a disabled\n');
    expect((await cluster.getJson<Obj>(['virtualkey', 'team-a', '-n', 'default'])).spec.disabled).toBe(true);
    await waitFor('the disabled key refused', async () => {
      const res = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${teamKey}` } });
      await res.arrayBuffer();
      return res.status === 401;
    });
    expect((await json(['keys', 'list'])).items.find((i: Obj) => i.name === 'team-a').disabled).toBe(true);
    await ok(['keys', 'enable', 'team-a']);
    expect((await cluster.getJson<Obj>(['virtualkey', 'team-a', '-n', 'default'])).spec.disabled).toBe(false);
    const missing = await plugin(['keys', 'disable', 'nobody', '--kubeconfig', kubeconfig]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('VirtualKey default/nobody not found');
  }, 90_000);

  it('keys rotate replaces the generated Secret and prints the new key; the old key stops working', async () => {
    const rotated = await json(['keys', 'rotate', 'team-a']);
    expect(rotated.key).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);
    expect(rotated.key).not.toBe(teamKey);
    expect(rotated.key).toBe(await secretKey('team-a-key'));
    expect(rotated.keyHint).toBe(`sk-sy-...${(rotated.key as string).slice(-4)}`);
    const status = async (key: string) => {
      const res = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      return res.status;
    };
    await waitFor(
      'the new key accepted and the old one refused',
      async () => (await status(rotated.key)) === 200 && (await status(teamKey)) === 401,
    );

    // A Secret the operator did not generate is not deleted.
    await cluster.kubectl(['create', 'secret', 'generic', 'own-key', '-n', 'default', '--from-literal=key=sk-own-0123456789abcdefghij']);
    await cluster.apply(
      'apiVersion: switchyard.dev/v1alpha1\nkind: VirtualKey\nmetadata: {name: own, namespace: default}\nspec: {secretName: own-key}\n',
    );
    const refused = await plugin(['keys', 'rotate', 'own', '--kubeconfig', kubeconfig]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was not generated by the operator');
    expect(await secretKey('own-key')).toBe('sk-own-0123456789abcdefghij');
  }, 90_000);

  it('status shows the operator, gateways, table version, Programmed N/N and the conditions that are not True', async () => {
    if (address !== undefined) {
      // An operator "pod" at the operator process, so status reads its /readyz through the pod proxy.
      const healthPort = Number(new URL(operator.healthUrl).port);
      await cluster.apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'operator-0', namespace: SYSTEM, labels: chartLabels('operator') },
          spec: { containers: [{ name: 'operator', image: 'switchyard:test', ports: [{ name: 'health', containerPort: healthPort }] }] },
        }),
      );
      await podRunningAt('operator-0', address);
    }
    const broken = await cluster.getJson<Obj>(['modelroute', 'broken', '-n', 'default']);
    const resolved = conditionOf(broken, 'ResolvedRefs');
    expect(resolved?.status).toBe('False');

    // Wait out the objects the earlier steps changed, until only the broken route is not well.
    const report = await waitFor('only the broken route reported', async () => {
      const view = await json(['status']);
      const problems = view.problems as Obj[];
      if (problems.length > 0 && problems.every((p) => p.name === 'broken')) return view;
      throw new Error(`problems: ${JSON.stringify(problems)}`);
    });
    expect(report.operator.leases).toEqual([
      expect.objectContaining({ namespace: SYSTEM, name: 'switchyard-operator', holder: 'operator-a', replicas: 1 }),
    ]);
    const expectedVersion = (await readyz(operator.healthUrl)).body.tableVersion;
    if (address !== undefined) {
      expect(report.operator.pods).toEqual([expect.objectContaining({ name: 'operator-0', leader: true, gateways: 1 })]);
      expect(report.tableVersion).toBeGreaterThanOrEqual(1);
      expect(report.tableVersion).toBeLessThanOrEqual(expectedVersion as number);
      expect(report.gateways).toEqual([expect.objectContaining({ name: 'gateway-0', phase: 'Running', ready: true })]);
    }
    const routes = (report.resources as Obj[]).find((r) => r.kind === 'ModelRoute');
    expect(routes).toEqual({ kind: 'ModelRoute', total: 2, accepted: 1, programmed: 1 });
    expect(report.problems).toContainEqual({
      kind: 'ModelRoute',
      namespace: 'default',
      name: 'broken',
      type: 'ResolvedRefs',
      status: 'False',
      reason: resolved?.reason,
      message: resolved?.message,
    });
    // Good conditions are not problems: the Budget's Exceeded=False, the routes' PriceUnknown=False.
    expect((report.problems as Obj[]).filter((p) => p.type === 'Exceeded' || p.type === 'PriceUnknown')).toEqual([]);

    const table = (await ok(['status'])).stdout;
    expect(table).toContain(`leader: operator-a (Lease ${SYSTEM}/switchyard-operator`);
    expect(table).toMatch(/ModelRoute\s+1\/2\s+1\/2/);
    expect(table).toMatch(new RegExp(`ModelRoute\\s+broken\\s+ResolvedRefs\\s+False\\s+${resolved?.reason}`));
    if (address !== undefined) expect(table).toMatch(/TABLE VERSION: \d+/);
  }, 90_000);

  it('a caller without RBAC gets a forbidden error naming the verb and resource', async () => {
    // No RoleBinding names this ServiceAccount: it may read nothing of Switchyard's.
    await cluster.kubectl(['create', 'serviceaccount', 'plugin-viewer', '-n', 'default']);
    const token = (await cluster.kubectl(['create', 'token', 'plugin-viewer', '-n', 'default', '--duration', '1h'])).trim();
    const admin = JSON.parse(await cluster.kubectl(['config', 'view', '--raw', '-o', 'json', '--kubeconfig', kubeconfig])) as Obj;
    const file = join(cluster.tempDir, 'viewer.kubeconfig');
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: admin.clusters,
        users: [{ name: 'nobody', user: { token } }],
        contexts: [{ name: 'nobody', context: { cluster: admin.clusters[0].name, user: 'nobody', namespace: 'default' } }],
        'current-context': 'nobody',
      }),
    );
    const result = await plugin(['keys', 'list', '--kubeconfig', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('forbidden: cannot list virtualkeys in namespace default');
    expect(result.stderr).toContain('cannot list resource "virtualkeys"');
    // status shows what it could read, notes what it could not, and fails: it is partial.
    const status = await plugin(['status', '--kubeconfig', file]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('NOTES');
    expect(status.stdout).toContain('skipped: forbidden: cannot list modelroutes in namespace default');
    expect(status.stdout).toContain('skipped: forbidden: cannot list deployments in namespace default');
    expect(status.stderr).toContain('could not read ModelRoute, VirtualKey, Budget');
    const context = await plugin(['spend', '--kubeconfig', file, '--context', 'elsewhere']);
    expect(context.stderr).toContain('--context elsewhere: the kubeconfig has no such context');
  }, 90_000);

  async function podRunningAt(name: string, ip: string): Promise<void> {
    await cluster.kubectl([
      'patch',
      'pod',
      name,
      '-n',
      SYSTEM,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      }),
    ]);
  }
});
