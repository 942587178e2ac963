// Plays kubelet (and the scheduler, cluster DNS and the API server's pod route) for the chart's
// Pods on a control plane without one: registers a Ready Node and keeps its Lease fresh, binds
// unscheduled Pods it runs, starts one real process per Pod inside the Pod's own network
// namespace, reports phase/podIP/Ready from the container's readiness probe, and on deletion
// runs the preStop sleep, SIGTERM, waits out the grace period and deletes the Pod for good.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiConnection } from '../api-request.js';
import { delay, startManagedProcess, type ManagedProcess } from '../managed-process.js';
import { startTcpForwarder, type TcpForwarder } from './api-forwarder.js';
import { expandVarRefs, fieldRefValue, resolveContainerPort, rewriteMountPaths, type MountRewrite } from './container-spec.js';
import { jsonPath } from './json-path.js';
import { kubeApi, type KubeApi } from './kube-api.js';
import { createBridge, createPodHost, deleteBridge, deletePodHost, HOST_ADDRESS, NAME_PREFIX, sweepPodNetwork, writePodHostsFile, type PodHost } from './pod-network.js';
import type { Container, Pod } from './pod-types.js';
import { materializeVolumes } from './pod-volumes.js';

export interface FakeKubeletOptions {
  connection: ApiConnection;
  /** Repository root: processes run `node <repoRoot>/bin/switchyard.mjs <container args>`. */
  repoRoot: string;
  nodeName?: string;
  /** Which Pods this stand-in binds and runs; others stay Pending. Default: the chart's switchyard Pods. */
  selects?: (pod: Pod) => boolean;
  log?: (line: string) => void;
}

export interface RunningPodInfo {
  namespace: string;
  name: string;
  podIP: string;
  ready: boolean;
  logFile: string;
}

export interface FakeKubelet {
  nodeName: string;
  pods(): RunningPodInfo[];
  /** The last lines a Pod's process wrote (for failure messages). */
  logTail(namespace: string, name: string, bytes?: number): string;
  stop(): Promise<void>;
}

interface PodRuntime {
  key: string;
  pod: Pod;
  host?: PodHost;
  octet?: number;
  process?: ManagedProcess;
  logFile: string;
  dir: string;
  ready: boolean;
  terminating: boolean;
  startedAt: string;
  failed?: string;
}

export function isSwitchyardPod(pod: Pod): boolean {
  const command = pod.spec.containers[0]?.args?.[0];
  return pod.metadata.labels?.['app.kubernetes.io/name'] === 'switchyard' && (command === 'operator' || command === 'gateway');
}

export async function startFakeKubelet(options: FakeKubeletOptions): Promise<FakeKubelet> {
  const log = options.log ?? (() => {});
  const api = kubeApi(options.connection);
  const nodeName = options.nodeName ?? `${NAME_PREFIX}node`;
  const selects = options.selects ?? isSwitchyardPod;
  const apiserverPort = Number(new URL(options.connection.server).port);
  const root = mkdtempSync(join(tmpdir(), `${NAME_PREFIX}kubelet-`));
  const pidDir = join(root, 'pids');
  mkdirSync(pidDir);
  const caFile = join(root, 'apiserver-ca.crt');
  writeFileSync(caFile, options.connection.ca);

  const swept = await sweepPodNetwork();
  if (swept.length > 0) log(`swept leftovers of an earlier run: ${swept.join(', ')}`);
  await createBridge();
  let forwarder: TcpForwarder | undefined;
  const runtimes = new Map<string, PodRuntime>();
  const usedOctets = new Set<number>();
  let dnsHosts: Record<string, string> = {};
  let stopping = false;

  // Last resort if the test process dies without stop(): no process or namespace outlives it.
  const killOnExit = () => {
    for (const runtime of runtimes.values()) {
      if (runtime.process) {
        try {
          process.kill(runtime.process.pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      if (runtime.host) execQuiet(['netns', 'del', runtime.host.netns]);
    }
    execQuiet(['link', 'del', 'sy-e2e-br0']);
  };
  process.once('exit', killOnExit);

  try {
    forwarder = await startTcpForwarder(HOST_ADDRESS, apiserverPort, apiserverPort);
    await registerNode(api, nodeName);
  } catch (error) {
    process.removeListener('exit', killOnExit);
    await forwarder?.close();
    await deleteBridge();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const podPath = (pod: Pod) => `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;

  async function refreshDns(): Promise<void> {
    const services = (jsonPath(await api.get('/api/v1/services'), 'items') ?? []) as { metadata: { name: string; namespace: string } }[];
    const slices = (jsonPath(await api.get('/apis/discovery.k8s.io/v1/endpointslices'), 'items') ?? []) as unknown[];
    const next: Record<string, string> = {};
    for (const service of services) {
      const { name, namespace } = service.metadata;
      const address = slices
        .filter((slice) => jsonPath(slice, 'metadata', 'namespace') === namespace && jsonPath(slice, 'metadata', 'labels', 'kubernetes.io/service-name') === name)
        .flatMap((slice) => (jsonPath(slice, 'endpoints') ?? []) as unknown[])
        .filter((endpoint) => jsonPath(endpoint, 'conditions', 'ready') === true)
        .map((endpoint) => jsonPath(endpoint, 'addresses', 0))
        .find((value): value is string => typeof value === 'string');
      if (address === undefined) continue;
      for (const alias of [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`]) next[alias] = address;
    }
    if (JSON.stringify(next) === JSON.stringify(dnsHosts)) return;
    dnsHosts = next;
    for (const runtime of runtimes.values()) if (runtime.host) writePodHostsFile(runtime.host.netns, runtime.host.address, dnsHosts);
  }

  async function startPod(runtime: PodRuntime): Promise<void> {
    const pod = runtime.pod;
    const container = pod.spec.containers[0]!;
    let octet = 2;
    while (usedOctets.has(octet)) octet++;
    usedOctets.add(octet);
    runtime.octet = octet;
    runtime.host = await createPodHost(octet, dnsHosts);
    const podIP = runtime.host.address;
    const volumes = await materializeVolumes(api, pod, podIP, join(runtime.dir, 'volumes'));
    const mounts: MountRewrite[] = (container.volumeMounts ?? []).map((mount) => {
      const hostPath = volumes.hostDirs.get(mount.name);
      if (hostPath === undefined) throw new Error(`container ${container.name} mounts unknown volume ${mount.name}`);
      return { mountPath: mount.mountPath, hostPath };
    });
    const env = await containerEnv(api, pod, container, podIP);
    const apiToken = [...volumes.apiTokens.values()][0];
    if (apiToken !== undefined) {
      // Stands in for in-cluster config, whose token path is fixed: same token, same CA, the
      // API server reached through the forwarder on the bridge (its certificate names
      // kubernetes.default.svc, hence tls-server-name).
      const kubeconfig = join(runtime.dir, 'kubeconfig');
      writeFileSync(kubeconfig, renderPodKubeconfig(`https://${HOST_ADDRESS}:${apiserverPort}`, caFile, apiToken), { mode: 0o600 });
      env['KUBECONFIG'] = kubeconfig;
    }
    const args = (container.args ?? []).map((arg) => rewriteMountPaths(expandVarRefs(arg, env), mounts));
    if (container.command && container.command.length > 0) throw new Error(`container ${container.name}: command overrides are not supported (the image entrypoint is switchyard)`);
    runtime.process = startManagedProcess({
      name: `${pod.metadata.namespace}_${pod.metadata.name}`,
      command: 'ip',
      args: ['netns', 'exec', runtime.host.netns, process.execPath, join(options.repoRoot, 'bin', 'switchyard.mjs'), ...args],
      env,
      logFile: runtime.logFile,
      pidDir,
    });
    log(`started ${runtime.key} at ${podIP} (pid ${runtime.process.pid}): switchyard ${args[0] ?? ''}`);
    await patchStatus(runtime, false);
  }

  async function patchStatus(runtime: PodRuntime, ready: boolean): Promise<void> {
    const now = new Date().toISOString();
    const podIP = runtime.host?.address;
    const readyStatus = ready ? 'True' : 'False';
    const container = runtime.pod.spec.containers[0]!;
    const res = await api.mergePatch(`${podPath(runtime.pod)}/status`, {
      status: {
        phase: 'Running',
        hostIP: HOST_ADDRESS,
        hostIPs: [{ ip: HOST_ADDRESS }],
        ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
        startTime: runtime.startedAt,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: runtime.startedAt },
          { type: 'Initialized', status: 'True', lastTransitionTime: runtime.startedAt },
          { type: 'ContainersReady', status: readyStatus, lastTransitionTime: now },
          { type: 'Ready', status: readyStatus, lastTransitionTime: now },
        ],
        containerStatuses: [
          {
            name: container.name,
            image: 'switchyard (local build, run by the e2e kubelet stand-in)',
            imageID: '',
            containerID: `sy-e2e://${runtime.process?.pid ?? 0}`,
            ready,
            started: true,
            restartCount: 0,
            state: runtime.failed ? { terminated: { exitCode: 1, reason: 'Error', message: runtime.failed } } : { running: { startedAt: runtime.startedAt } },
          },
        ],
      },
    });
    if (res.status === 200) runtime.ready = ready;
    else if (res.status !== 404) log(`status patch of ${runtime.key} failed: ${res.status} ${res.body.slice(0, 200)}`);
  }

  async function probe(runtime: PodRuntime): Promise<void> {
    if (!runtime.host || !runtime.process || runtime.terminating) return;
    const exit = runtime.process.exitStatus();
    if (exit !== undefined) {
      if (runtime.failed === undefined) {
        runtime.failed = exit;
        log(`${runtime.key} ${exit}; last log lines:\n${tail(runtime.logFile, 1500)}`);
        await patchStatus(runtime, false);
      }
      return;
    }
    const container = runtime.pod.spec.containers[0]!;
    const httpProbe = container.readinessProbe?.httpGet;
    const ok = httpProbe ? await httpOk(runtime.host.address, resolveContainerPort(container, httpProbe.port), httpProbe.path ?? '/') : true;
    if (ok !== runtime.ready) {
      await patchStatus(runtime, ok);
      log(`${runtime.key} ${ok ? 'Ready' : 'not ready'}`);
    }
  }

  async function terminatePod(runtime: PodRuntime, gracefully: boolean): Promise<void> {
    runtime.terminating = true;
    const container = runtime.pod.spec.containers[0];
    if (runtime.process) {
      const preStop = container?.lifecycle?.preStop?.sleep?.seconds ?? 0;
      if (gracefully && preStop > 0) await delay(preStop * 1000);
      const grace = gracefully ? (runtime.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000 : 5_000;
      await runtime.process.stop(grace);
    }
    if (runtime.host) await deletePodHost(runtime.host);
    if (runtime.octet !== undefined) usedOctets.delete(runtime.octet);
    runtime.host = undefined;
  }

  async function finishDeletion(runtime: PodRuntime): Promise<void> {
    try {
      await terminatePod(runtime, true);
      // The kubelet's last word: delete with grace 0 once the containers are gone.
      await api.call('DELETE', podPath(runtime.pod), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: runtime.pod.metadata.uid } });
      log(`deleted ${runtime.key}`);
    } finally {
      runtimes.delete(runtime.key);
    }
  }

  const inFlight = new Set<Promise<void>>();
  const track = (what: string, work: Promise<void>) => {
    const guarded = work.catch((error: unknown) => log(`${what}: ${error instanceof Error ? error.message : String(error)}`));
    inFlight.add(guarded);
    void guarded.finally(() => inFlight.delete(guarded));
  };

  async function syncOnce(): Promise<void> {
    const unscheduled = (jsonPath(await api.get('/api/v1/pods?fieldSelector=spec.nodeName%3D'), 'items') ?? []) as Pod[];
    for (const pod of unscheduled) {
      if (!selects(pod) || pod.metadata.deletionTimestamp) continue;
      const res = await api.call('POST', `${podPath(pod)}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
      if (res.status !== 201 && res.status !== 409) log(`binding ${pod.metadata.namespace}/${pod.metadata.name} failed: ${res.status} ${res.body.slice(0, 200)}`);
    }
    await refreshDns();
    const onNode = (jsonPath(await api.get(`/api/v1/pods?fieldSelector=spec.nodeName%3D${nodeName}`), 'items') ?? []) as Pod[];
    const seen = new Set<string>();
    for (const pod of onNode) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      seen.add(key);
      let runtime = runtimes.get(key);
      if (runtime && runtime.pod.metadata.uid !== pod.metadata.uid) continue; // the old one is still being torn down
      if (!runtime) {
        if (pod.metadata.deletionTimestamp) {
          track(`deleting ${key}`, api.call('DELETE', podPath(pod), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 }).then(() => undefined));
          continue;
        }
        const dir = join(root, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}`);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        runtime = { key, pod, logFile: join(dir, 'process.log'), dir, ready: false, terminating: false, startedAt: new Date().toISOString() };
        runtimes.set(key, runtime);
        const started = runtime;
        track(`starting ${key}`, startPod(started).catch(async (error: unknown) => {
          started.failed = error instanceof Error ? error.message : String(error);
          await patchStatus(started, false);
          throw error;
        }));
        continue;
      }
      if (pod.metadata.deletionTimestamp && !runtime.terminating) {
        runtime.terminating = true;
        track(`terminating ${key}`, finishDeletion(runtime));
        continue;
      }
      track(`probing ${key}`, probe(runtime));
    }
    for (const runtime of runtimes.values()) {
      if (!seen.has(runtime.key) && !runtime.terminating) {
        runtime.terminating = true;
        track(`stopping ${runtime.key} (Pod gone)`, terminatePod(runtime, false).finally(() => runtimes.delete(runtime.key)));
      }
    }
  }

  const loop = (async () => {
    while (!stopping) {
      try {
        await syncOnce();
      } catch (error) {
        if (!stopping) log(`sync: ${error instanceof Error ? error.message : String(error)}`);
      }
      await delay(500);
    }
  })();
  const heartbeat = setInterval(() => {
    void renewNode(api, nodeName).catch((error: unknown) => log(`node heartbeat: ${error instanceof Error ? error.message : String(error)}`));
  }, 10_000);

  return {
    nodeName,
    pods: () =>
      [...runtimes.values()]
        .filter((runtime) => runtime.host !== undefined)
        .map((runtime) => ({
          namespace: runtime.pod.metadata.namespace ?? 'default',
          name: runtime.pod.metadata.name,
          podIP: runtime.host!.address,
          ready: runtime.ready,
          logFile: runtime.logFile,
        })),
    logTail: (namespace, name, bytes = 2000) => tail(runtimes.get(`${namespace}/${name}`)?.logFile ?? '', bytes),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(heartbeat);
      await loop;
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled([...runtimes.values()].map((runtime) => terminatePod(runtime, false)));
      runtimes.clear();
      await api.call('DELETE', `/api/v1/nodes/${nodeName}`).catch(() => undefined);
      await forwarder?.close();
      await sweepPodNetwork();
      process.removeListener('exit', killOnExit);
      if (process.env.SWITCHYARD_E2E_KEEP_STATE !== '1') rmSync(root, { recursive: true, force: true });
    },
  };
}

async function containerEnv(api: KubeApi, pod: Pod, container: Container, podIP: string): Promise<Record<string, string>> {
  const namespace = pod.metadata.namespace ?? 'default';
  // A container starts from the image's environment, not the host's: PATH and HOME only.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp' };
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (variable.value !== undefined) value = expandVarRefs(variable.value, env);
    else if (from?.fieldRef) value = fieldRefValue(pod, from.fieldRef.fieldPath, podIP);
    else if (from?.secretKeyRef) {
      const secret = await api.call('GET', `/api/v1/namespaces/${namespace}/secrets/${from.secretKeyRef.name}`);
      const encoded = jsonPath(secret.json, 'data', from.secretKeyRef.key);
      if (typeof encoded === 'string') value = Buffer.from(encoded, 'base64').toString('utf8');
      else if (!from.secretKeyRef.optional) throw new Error(`env ${variable.name}: Secret ${namespace}/${from.secretKeyRef.name} has no key ${from.secretKeyRef.key}`);
    } else if (from?.configMapKeyRef) {
      const configMap = await api.call('GET', `/api/v1/namespaces/${namespace}/configmaps/${from.configMapKeyRef.name}`);
      const text = jsonPath(configMap.json, 'data', from.configMapKeyRef.key);
      if (typeof text === 'string') value = text;
      else if (!from.configMapKeyRef.optional) throw new Error(`env ${variable.name}: ConfigMap ${namespace}/${from.configMapKeyRef.name} has no key ${from.configMapKeyRef.key}`);
    }
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

export function renderPodKubeconfig(server: string, caFile: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'in-cluster', cluster: { server, 'certificate-authority': caFile, 'tls-server-name': 'kubernetes.default.svc' } }],
    users: [{ name: 'pod', user: { token } }],
    contexts: [{ name: 'in-cluster', context: { cluster: 'in-cluster', user: 'pod' } }],
    'current-context': 'in-cluster',
  });
}

async function registerNode(api: KubeApi, nodeName: string): Promise<void> {
  const existing = await api.call('GET', `/api/v1/nodes/${nodeName}`);
  if (existing.status === 404) {
    const created = await api.call('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
      spec: {},
    });
    if (created.status !== 201) throw new Error(`registering Node ${nodeName} failed: ${created.status} ${created.body.slice(0, 300)}`);
  }
  await renewNode(api, nodeName);
}

/** Node status Ready and the kube-node-lease Lease renewed: the node lifecycle controller's heartbeats. */
async function renewNode(api: KubeApi, nodeName: string): Promise<void> {
  const now = new Date().toISOString();
  const capacity = { cpu: '8', memory: '16Gi', pods: '110' };
  const status = await api.mergePatch(`/api/v1/nodes/${nodeName}/status`, {
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: HOST_ADDRESS },
        { type: 'Hostname', address: nodeName },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'the e2e kubelet stand-in is running', lastHeartbeatTime: now, lastTransitionTime: now }],
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: 'switchyard e2e',
        containerRuntimeVersion: 'sy-e2e://0',
        kubeletVersion: 'v1.32.0-sy-e2e',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  });
  if (status.status !== 200) throw new Error(`Node ${nodeName} status: ${status.status} ${status.body.slice(0, 200)}`);
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`;
  const renewTime = now.replace(/\.(\d{3})Z$/, '.$1000Z');
  const renewed = await api.mergePatch(leasePath, { spec: { renewTime } });
  if (renewed.status === 404) {
    await api.call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime },
    });
  }
}

function httpOk(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet({ host, port, path, timeout: 2_000, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function tail(path: string, bytes: number): string {
  try {
    return readFileSync(path, 'utf8').slice(-bytes);
  } catch {
    return '(no log)';
  }
}

function execQuiet(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // Already gone.
  }
}
