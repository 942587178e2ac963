// What the cluster journeys share: a control plane, the image, the kubelet stand-in running the
// chart's Pods from it, and the kubectl questions the tests ask (ready Service endpoints, the
// operator leader, Pods by component).
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { locateControlPlaneBinaries, startControlPlane, type ControlPlane } from '../../src/index.js';
import { acquireMachineLock } from '../../src/machine-lock.js';
import { ensureTestImage, podmanWorks, privatePodman, type BuiltImage, type Podman } from '../../src/image/index.js';
import { networkNamespacesWork, startFakeKubelet, type FakeKubelet } from '../../src/kubelet/index.js';
import { names, NAMESPACE, REPO_ROOT } from '../helm-chart-support.js';
import { eventually, jsonItems, jsonPath } from './json-path.js';

/** Why the cluster journeys cannot run here, or undefined when they can. */
export async function chartClusterSkipReason(): Promise<string | undefined> {
  const binaries = locateControlPlaneBinaries();
  if (binaries.missing.length > 0) return `${binaries.missing.join(', ')} not built in ${binaries.binDir}; run \`make e2e-build\` first`;
  const netns = await networkNamespacesWork();
  if (!netns.ok) return `network namespaces unavailable (${netns.reason}); the kubelet stand-in needs root and iproute2`;
  const containers = await podmanWorks();
  if (!containers.ok) return `containers unavailable (${containers.reason})`;
  return undefined;
}

export interface ChartCluster {
  plane: ControlPlane;
  kubelet: FakeKubelet;
  podman: Podman;
  image: BuiltImage;
  kubeletLog: string[];
  /** When the control plane was up and the image ready, and how long the image took. */
  startedInMs: number;
  stop(): Promise<void>;
  /** The chart's image values pointing at the image built for this run; never pulled. */
  imageValues(): string[];
  kubectlOk(args: string[], input?: string): Promise<string>;
  getJson(args: string[]): Promise<unknown>;
  /** Ready addresses of a Service, from its EndpointSlices (what kube-proxy would route to). */
  readyEndpoints(service: string): Promise<string[]>;
  /**
   * Plays kube-proxy for a client: the Service's ready endpoints, re-read every 250 ms (an empty
   * read keeps the last list), for round-robin requests while Pods come and go.
   */
  watchReadyEndpoints(service: string): Promise<{ current(): readonly string[]; stop(): Promise<void> }>;
  /** The gateway Service's `http` port. */
  gatewayPort(): Promise<number>;
  operatorLeader(): Promise<{ pod: string; address: string } | undefined>;
  /** Ready, not terminating Pods of a chart component (`gateway`, `operator`). */
  readyPods(component: string): Promise<{ name: string; address: string }[]>;
  /** The podman container of a Pod (the stand-in names them sy-e2e-<namespace>_<pod>). */
  containerOf(pod: string): string;
  client(address: string, port: number, apiKey: string): OpenAI;
  diagnostics(): string;
}

export async function startChartCluster(): Promise<ChartCluster> {
  const start = Date.now();
  const podman = privatePodman();
  const kubeletLog: string[] = [];
  // The stand-in owns the machine's sy-e2e-* names: one cluster journey at a time.
  const release = await acquireMachineLock('switchyard-e2e-kubelet', 900_000, (line) => console.log(line));
  let plane: ControlPlane | undefined;
  let kubelet: FakeKubelet;
  let image: BuiltImage;
  try {
    let started: ControlPlane;
    [image, started] = await Promise.all([ensureTestImage(podman, REPO_ROOT), startControlPlane({ controllerManager: true })]);
    plane = started;
    kubelet = await startFakeKubelet({
      connection: { server: started.server, token: started.token, ca: readFileSync(started.caFile, 'utf8') },
      podman,
      log: (line) => kubeletLog.push(`${new Date().toISOString()} ${line}`),
    });
  } catch (error) {
    await plane?.stop();
    release();
    throw error;
  }
  const clusterPlane = plane;
  const kubectlOk = async (args: string[], input?: string): Promise<string> => {
    const result = await clusterPlane.kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  const getJson = async (args: string[]): Promise<unknown> => JSON.parse(await kubectlOk([...args, '-o', 'json'])) as unknown;
  const isReady = (pod: unknown): boolean =>
    jsonPath(pod, 'metadata', 'deletionTimestamp') === undefined &&
    ((jsonPath(pod, 'status', 'conditions') ?? []) as unknown[]).some(
      (condition) => jsonPath(condition, 'type') === 'Ready' && jsonPath(condition, 'status') === 'True',
    );
  const cluster: ChartCluster = {
    plane: clusterPlane,
    kubelet,
    podman,
    image,
    kubeletLog,
    startedInMs: Date.now() - start,
    async stop() {
      try {
        await kubelet.stop();
      } finally {
        await clusterPlane.stop();
        release();
      }
    },
    imageValues: () => [
      '--set',
      `image.repository=${image.repository}`,
      '--set',
      `image.tag=${image.tag}`,
      '--set',
      'image.pullPolicy=Never',
    ],
    kubectlOk,
    getJson,
    async readyEndpoints(service) {
      const slices = jsonItems(await getJson(['get', 'endpointslices', '-n', NAMESPACE, '-l', `kubernetes.io/service-name=${service}`]));
      return slices
        .flatMap((slice) => (jsonPath(slice, 'endpoints') ?? []) as unknown[])
        .filter((endpoint) => jsonPath(endpoint, 'conditions', 'ready') === true)
        .map((endpoint) => String(jsonPath(endpoint, 'addresses', 0)));
    },
    async watchReadyEndpoints(service) {
      let endpoints = await cluster.readyEndpoints(service);
      let running = true;
      const loop = (async () => {
        while (running) {
          const next = await cluster.readyEndpoints(service).catch(() => endpoints);
          if (next.length > 0) endpoints = next;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      return {
        current: () => endpoints,
        async stop() {
          running = false;
          await loop;
        },
      };
    },
    async gatewayPort() {
      const slices = jsonItems(
        await getJson(['get', 'endpointslices', '-n', NAMESPACE, '-l', `kubernetes.io/service-name=${names.gateway}`]),
      );
      const port = ((jsonPath(slices[0], 'ports') ?? []) as unknown[]).find((candidate) => jsonPath(candidate, 'name') === 'http');
      const number = jsonPath(port, 'port');
      if (typeof number !== 'number') throw new Error(`EndpointSlice of ${names.gateway} has no http port`);
      return number;
    },
    async operatorLeader() {
      const holder = (
        await plane.kubectl(['get', 'lease', names.operator, '-n', NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}'])
      ).stdout.trim();
      if (holder === '') return undefined;
      const address = (await clusterPlane.kubectl(['get', 'pod', holder, '-n', NAMESPACE, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
      return address === '' ? undefined : { pod: holder, address };
    },
    async readyPods(component) {
      const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/component=${component}`]));
      return pods
        .filter(isReady)
        .map((pod) => ({ name: String(jsonPath(pod, 'metadata', 'name')), address: String(jsonPath(pod, 'status', 'podIP')) }));
    },
    containerOf: (pod) => `sy-e2e-${NAMESPACE}_${pod}`,
    client: (address, port, apiKey) => new OpenAI({ apiKey, baseURL: `http://${address}:${port}/v1`, maxRetries: 0, timeout: 15_000 }),
    diagnostics() {
      const pods = kubelet.pods();
      return [
        `kubelet stand-in log:\n${kubeletLog.slice(-40).join('\n')}`,
        ...pods.map(
          (pod) =>
            `--- ${pod.namespace}/${pod.name} (${pod.podIP}, ready=${pod.ready}):\n${kubelet.logTail(pod.namespace, pod.name, 1200)}`,
        ),
      ].join('\n');
    },
  };
  return cluster;
}

/** Waits until the release's 2 operator and 2 gateway Pods are Ready. */
export async function waitForChartPods(cluster: ChartCluster, timeoutMs: number): Promise<void> {
  try {
    await eventually('2 operator and 2 gateway Pods Ready', timeoutMs, async () =>
      (await cluster.readyPods('gateway')).length === 2 && (await cluster.readyPods('operator')).length === 2 ? true : undefined,
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${cluster.diagnostics()}`);
  }
}
