// The platform team's journey on a real API server + controller manager, with the kubelet
// played by e2e/src/kubelet (one real switchyard process per Pod, each in its own network
// namespace): helm install, Pods Ready, kubectl apply the examples, read the generated key,
// call the gateway Service's endpoint with the OpenAI SDK, see a fallback. Times are reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { locateControlPlaneBinaries, startControlPlane, type ControlPlane } from '../src/index.js';
import { networkNamespacesWork, startFakeKubelet, type FakeKubelet } from '../src/kubelet/index.js';
import { CHART_DIR, names, NAMESPACE, RELEASE, REPO_ROOT } from './helm-chart-support.js';
import { eventually, jsonItems, jsonPath } from './support/json-path.js';

const binaries = locateControlPlaneBinaries();
const netns = await networkNamespacesWork();
const skipReason =
  binaries.missing.length > 0
    ? `${binaries.missing.join(', ')} not built in ${binaries.binDir}; run \`make e2e-build\` first`
    : !netns.ok
      ? `network namespaces unavailable (${netns.reason}); the kubelet stand-in needs root and iproute2`
      : undefined;
if (skipReason) console.warn(`SKIPPED journey (helm install to first request): ${skipReason}`);
const describeWhenPossible = skipReason === undefined ? describe : describe.skip;

/** A route whose only primary backend always fails (upstream 500), with a fallback tier. */
const FLAKY_ROUTE = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name: 'mock-flaky' },
  spec: {
    model: 'mock-flaky',
    backends: [
      { name: 'always-fails', provider: 'mock', model: 'mock-broken', mock: { failureRate: '1' } },
      { name: 'standby', provider: 'mock', model: 'mock-standby', priority: 1, mock: { response: 'answered by the standby tier' } },
    ],
    retry: { attempts: 2, backoff: { initial: '10ms', max: '50ms' }, on: ['ServerError'] },
  },
};

describeWhenPossible('journey: helm install to first request, with the kubelet played by the harness', () => {
  const suiteStart = Date.now();
  const timings: Record<string, number> = {};
  let plane: ControlPlane;
  let kubelet: FakeKubelet | undefined;
  const kubeletLog: string[] = [];
  let installStart = 0;
  let apiKey = '';

  async function kubectlOk(args: string[], input?: string): Promise<string> {
    const result = await plane.kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  async function getJson(args: string[]): Promise<unknown> {
    return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as unknown;
  }

  /** Ready addresses of a Service, from its EndpointSlices (what kube-proxy would route to). */
  async function readyEndpoints(service: string): Promise<string[]> {
    const slices = jsonItems(await getJson(['get', 'endpointslices', '-n', NAMESPACE, '-l', `kubernetes.io/service-name=${service}`]));
    return slices
      .flatMap((slice) => (jsonPath(slice, 'endpoints') ?? []) as unknown[])
      .filter((endpoint) => jsonPath(endpoint, 'conditions', 'ready') === true)
      .map((endpoint) => String(jsonPath(endpoint, 'addresses', 0)));
  }

  async function gatewayPort(): Promise<number> {
    const slices = jsonItems(await getJson(['get', 'endpointslices', '-n', NAMESPACE, '-l', `kubernetes.io/service-name=${names.gateway}`]));
    const port = ((jsonPath(slices[0], 'ports') ?? []) as unknown[]).find((candidate) => jsonPath(candidate, 'name') === 'http');
    const number = jsonPath(port, 'port');
    if (typeof number !== 'number') throw new Error(`EndpointSlice of ${names.gateway} has no http port`);
    return number;
  }

  function client(address: string, port: number): OpenAI {
    return new OpenAI({ apiKey, baseURL: `http://${address}:${port}/v1`, maxRetries: 0, timeout: 15_000 });
  }

  function diagnostics(): string {
    const pods = kubelet?.pods() ?? [];
    return [
      `kubelet stand-in log:\n${kubeletLog.slice(-40).join('\n')}`,
      ...pods.map((pod) => `--- ${pod.namespace}/${pod.name} (${pod.podIP}, ready=${pod.ready}):\n${kubelet!.logTail(pod.namespace, pod.name, 1200)}`),
    ].join('\n');
  }

  beforeAll(async () => {
    plane = await startControlPlane({ controllerManager: true });
    timings['control plane up'] = Date.now() - suiteStart;
    kubelet = await startFakeKubelet({
      connection: { server: plane.server, token: plane.token, ca: readFileSync(plane.caFile, 'utf8') },
      repoRoot: REPO_ROOT,
      log: (line) => kubeletLog.push(`${new Date().toISOString()} ${line}`),
    });
    await kubectlOk(['create', 'namespace', NAMESPACE]);
  }, 300_000);

  afterAll(async () => {
    try {
      await kubelet?.stop();
    } finally {
      await plane?.stop();
    }
    timings['whole suite'] = Date.now() - suiteStart;
    console.log(`journey timings (ms): ${JSON.stringify(timings)}`);
  }, 120_000);

  it('helm install: operator and gateway Pods run as real processes on their own test hosts and become Ready', async () => {
    installStart = Date.now();
    const output = await plane.helm(['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE]);
    if (output.code !== 0) throw new Error(`helm install failed: ${output.stderr}`);
    timings['helm install command'] = Date.now() - installStart;
    try {
      await eventually('2 operator and 2 gateway Pods Ready', 120_000, async () => {
        const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]));
        const ready = pods.filter((pod) =>
          ((jsonPath(pod, 'status', 'conditions') ?? []) as unknown[]).some((condition) => jsonPath(condition, 'type') === 'Ready' && jsonPath(condition, 'status') === 'True'),
        );
        return ready.length === 4 ? ready : undefined;
      });
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${diagnostics()}`);
    }
    timings['helm install -> all Pods Ready'] = Date.now() - installStart;
    const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]));
    for (const pod of pods) {
      expect(jsonPath(pod, 'spec', 'nodeName')).toBe(kubelet!.nodeName);
      expect(String(jsonPath(pod, 'status', 'podIP'))).toMatch(/^10\.244\.0\.\d+$/);
    }
    // Real EndpointSlices, written by kube-controller-manager from the Pods' addresses and readiness.
    await eventually('gateway Service endpoints', 30_000, async () => ((await readyEndpoints(names.gateway)).length === 2 ? true : undefined));
    await eventually('operator Service endpoints', 30_000, async () => ((await readyEndpoints(names.operator)).length === 2 ? true : undefined));
  }, 180_000);

  it('kubectl apply the examples; the operator generates the key Secret; the OpenAI SDK gets an answer through the Service endpoints', async () => {
    for (const file of ['mock-gpt.yaml', 'demo-key.yaml']) {
      await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], readFileSync(join(REPO_ROOT, 'examples', 'cluster', file), 'utf8'));
    }
    await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], JSON.stringify(FLAKY_ROUTE));
    const encoded = await eventually('the generated key Secret demo-key', 60_000, async () => {
      const result = await plane.kubectl(['get', 'secret', 'demo-key', '-n', NAMESPACE, '-o', 'jsonpath={.data.key}']);
      return result.code === 0 && result.stdout !== '' ? result.stdout : undefined;
    });
    apiKey = Buffer.from(encoded, 'base64').toString('utf8');
    expect(apiKey).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);

    const port = await gatewayPort();
    const addresses = await readyEndpoints(names.gateway);
    // Every gateway replica answers once the operator's table reached it.
    for (const address of addresses) {
      const completion = await eventually(`an answer from the gateway at ${address}`, 60_000, async () => {
        try {
          return await client(address, port).chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hello from the journey' }] });
        } catch {
          return undefined;
        }
      });
      timings[`helm install -> first successful request (${address})`] ??= Date.now() - installStart;
      expect(completion.choices[0]?.message.content).toBeTruthy();
      expect(completion.model).toContain('mock');
    }
    timings['helm install -> first successful request'] = Math.min(
      ...Object.entries(timings)
        .filter(([key]) => key.startsWith('helm install -> first successful request ('))
        .map(([, value]) => value),
    );
  }, 180_000);

  it('a failing primary backend falls back to the next tier', async () => {
    const port = await gatewayPort();
    const [address] = await readyEndpoints(names.gateway);
    const { data, response } = await eventually('mock-flaky in the table', 30_000, async () => {
      try {
        return await client(address!, port)
          .chat.completions.create({ model: 'mock-flaky', messages: [{ role: 'user', content: 'who answers?' }] })
          .withResponse();
      } catch {
        return undefined;
      }
    });
    expect(data.choices[0]?.message.content).toBe('answered by the standby tier');
    expect(response.headers.get('x-switchyard-backend')).toContain('standby');
  }, 60_000);

  it('helm upgrade with a changed value rolls the gateway Pods with no failed request', async () => {
    const port = await gatewayPort();
    const podsBefore = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=gateway'])).map((pod) => String(jsonPath(pod, 'metadata', 'name')));
    // Plays kube-proxy for the client: requests go round-robin to the Service's ready endpoints,
    // re-read every 250 ms. A terminating gateway leaves them during its preStop sleep.
    let endpoints = await readyEndpoints(names.gateway);
    let running = true;
    const watcher = (async () => {
      while (running) {
        const next = await readyEndpoints(names.gateway).catch(() => endpoints);
        if (next.length > 0) endpoints = next;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const failures: string[] = [];
    let succeeded = 0;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const address = endpoints[i % endpoints.length]!;
        try {
          const completion = await client(address, port).chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: `request ${i}` }] });
          if (!completion.choices[0]?.message.content) failures.push(`${address}: empty answer`);
          else succeeded++;
        } catch (error) {
          failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    const upgradeStart = Date.now();
    try {
      const upgrade = await plane.helm(['upgrade', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--reuse-values', '--set', 'gateway.maxBodyBytes=1048576']);
      if (upgrade.code !== 0) throw new Error(`helm upgrade failed: ${upgrade.stderr}`);
      const rollout = await plane.kubectl(['rollout', 'status', `deployment/${names.gateway}`, '-n', NAMESPACE, '--timeout=240s']);
      if (rollout.code !== 0) throw new Error(`rollout did not finish: ${rollout.stderr}\n${diagnostics()}`);
      // Old Pods gone for good (the stand-in deletes them after their processes exited).
      await eventually('old gateway Pods deleted', 120_000, async () => {
        const names_ = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=gateway'])).map((pod) => String(jsonPath(pod, 'metadata', 'name')));
        return names_.some((name) => podsBefore.includes(name)) ? undefined : names_;
      });
    } finally {
      running = false;
      await Promise.all([load, watcher]);
    }
    timings['helm upgrade -> rolled'] = Date.now() - upgradeStart;
    console.log(`journey upgrade: ${succeeded} requests succeeded, ${failures.length} failed during the roll`);
    expect(failures).toEqual([]);
    expect(succeeded).toBeGreaterThan(10);
    const deployment = await getJson(['get', 'deployment', names.gateway, '-n', NAMESPACE]);
    const args = (jsonPath(deployment, 'spec', 'template', 'spec', 'containers', 0, 'args') ?? []) as string[];
    expect(args).toContain('--max-body-bytes=1048576');
    // The new Pods run the new flag: a body over 1 MiB is refused by the gateway itself.
    const [address] = await readyEndpoints(names.gateway);
    const tooBig = await fetch(`http://${address}:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }),
    });
    expect(tooBig.status).toBe(413);
  }, 300_000);

  it('helm uninstall removes the release and its Pods (their processes and test hosts too) and keeps the CRDs and resources', async () => {
    const uninstall = await plane.helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait', '--timeout', '3m']);
    if (uninstall.code !== 0) throw new Error(`helm uninstall failed: ${uninstall.stderr}`);
    const selector = `app.kubernetes.io/instance=${RELEASE}`;
    expect((await kubectlOk(['get', 'deployments,services,secrets,serviceaccounts,roles,rolebindings', '-n', NAMESPACE, '-l', selector, '-o', 'name'])).trim()).toBe('');
    await eventually('Pods gone and their processes stopped', 150_000, async () => {
      const left = (await kubectlOk(['get', 'replicasets,pods', '-n', NAMESPACE, '-l', selector, '-o', 'name'])).trim();
      return left === '' && kubelet!.pods().length === 0 ? true : undefined;
    });
    for (const crd of ['budgets.switchyard.dev', 'modelroutes.switchyard.dev', 'virtualkeys.switchyard.dev']) await kubectlOk(['get', 'crd', crd]);
    const routes = jsonItems(await getJson(['get', 'modelroutes', '-n', NAMESPACE])).map((item) => jsonPath(item, 'metadata', 'name'));
    expect(routes.sort()).toEqual(['mock-flaky', 'mock-gpt']);
  }, 200_000);
});
