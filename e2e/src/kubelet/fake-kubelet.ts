// Plays kubelet (and the scheduler, cluster DNS and the API server's pod route) for the chart's
// Pods on a control plane without one: registers a Ready Node and keeps its Lease fresh, binds
// unscheduled Pods it runs, runs each Pod's container from its image with podman (runc) inside the
// Pod's own network namespace, with its volumes, env, security context and limits enforced,
// reports phase/podIP/Ready from the readiness probe, restarts a container whose liveness probe
// fails, and on deletion runs the preStop sleep, SIGTERM, waits out the grace period and deletes
// the Pod for good. Images come from the local store only: nothing is pulled.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiConnection } from '../api-request.js';
import type { Podman } from '../image/index.js';
import { delay } from '../managed-process.js';
import { startTcpForwarder, type TcpForwarder } from './api-forwarder.js';
import { ContainerConfigError, containerIdentity, securityFlags, type ContainerIdentity } from './container-security.js';
import { expandVarRefs, fieldRefValue, resolveContainerPort } from './container-spec.js';
import { jsonPath } from '../json-path.js';
import { kubeApi, type KubeApi } from './kube-api.js';
import {
  createBridge,
  createPodHost,
  deleteBridge,
  deletePodHost,
  HOST_ADDRESS,
  NAME_PREFIX,
  sweepPodNetwork,
  writePodHostsFile,
  type PodHost,
} from './pod-network.js';
import { inspectLocalImage, startPodContainer, type ImageInfo, type PodContainer } from './pod-container.js';
import type { Container, HttpGetProbe, Pod } from './pod-types.js';
import { materializeVolumes } from './pod-volumes.js';

export interface FakeKubeletOptions {
  connection: ApiConnection;
  /** Runs the containers; their images must be in its store already. */
  podman: Podman;
  nodeName?: string;
  /** Which Pods this stand-in binds and runs; others stay Pending. Default: the chart's switchyard Pods. */
  selects?: (pod: Pod) => boolean;
  log?: (line: string) => void;
}

interface RunningPodInfo {
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
  container?: PodContainer;
  /** What a restart needs again: the container as first started. */
  launch?: () => Promise<PodContainer>;
  image?: ImageInfo;
  restartCount: number;
  /** When the running container exited (for the restart back-off), and how, once it is replaced. */
  exitedAt?: number;
  lastTermination?: string;
  livenessFailures: number;
  lastLivenessProbe: number;
  containerStartedAt: number;
  logFile: string;
  dir: string;
  ready: boolean;
  terminating: boolean;
  startedAt: string;
  failed?: string;
  /** A container that never started: kubelet's Waiting reason (ErrImageNeverPull, CreateContainerConfigError). */
  waiting?: { reason: string; message: string };
}

/** podman container names: the Pod's namespace and name, with the stand-in's prefix for sweeping. */
function containerName(pod: Pod): string {
  return `${NAME_PREFIX}${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}`;
}

function isSwitchyardPod(pod: Pod): boolean {
  const command = pod.spec.containers[0]?.args?.[0];
  return pod.metadata.labels?.['app.kubernetes.io/name'] === 'switchyard' && (command === 'operator' || command === 'gateway');
}

export async function startFakeKubelet(options: FakeKubeletOptions): Promise<FakeKubelet> {
  const kubelet = new KubeletStandIn(options);
  await kubelet.prepareHost();
  kubelet.startSyncing();
  return {
    nodeName: kubelet.nodeName,
    pods: () => kubelet.pods(),
    logTail: (namespace, name, bytes = 2000) => kubelet.logTail(namespace, name, bytes),
    stop: () => kubelet.stop(),
  };
}

class KubeletStandIn {
  readonly nodeName: string;
  private readonly log: (line: string) => void;
  private readonly api: KubeApi;
  private readonly selects: (pod: Pod) => boolean;
  private readonly apiserverPort: number;
  /** Scratch space: process pid files, the API server's CA, one directory per Pod. */
  private readonly root: string;
  private readonly pidDir: string;
  private readonly caFile: string;
  private forwarder: TcpForwarder | undefined;
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly usedOctets = new Set<number>();
  private dnsHosts: Record<string, string> = {};
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: FakeKubeletOptions) {
    this.log = options.log ?? (() => {});
    this.api = kubeApi(options.connection);
    this.nodeName = options.nodeName ?? `${NAME_PREFIX}node`;
    this.selects = options.selects ?? isSwitchyardPod;
    this.apiserverPort = Number(new URL(options.connection.server).port);
    this.root = mkdtempSync(join(tmpdir(), `${NAME_PREFIX}kubelet-`));
    this.pidDir = join(this.root, 'pids');
    mkdirSync(this.pidDir);
    this.caFile = join(this.root, 'apiserver-ca.crt');
    writeFileSync(this.caFile, options.connection.ca);
  }

  /** The bridge, the API server forwarder and a registered Node; undone again if any step fails. */
  async prepareHost(): Promise<void> {
    const leftovers = (await this.options.podman.run(['ps', '--all', '--format', '{{.Names}}', '--filter', `name=^${NAME_PREFIX}`])).stdout
      .split('\n')
      .filter((name) => name.startsWith(NAME_PREFIX));
    this.options.podman.removeNow(leftovers);
    const swept = [...leftovers, ...(await sweepPodNetwork())];
    if (swept.length > 0) this.log(`swept leftovers of an earlier run: ${swept.join(', ')}`);
    await createBridge();
    process.once('exit', this.killOnExit);
    try {
      this.forwarder = await startTcpForwarder(HOST_ADDRESS, this.apiserverPort, this.apiserverPort);
      await registerNode(this.api, this.nodeName);
    } catch (error) {
      process.removeListener('exit', this.killOnExit);
      await this.forwarder?.close();
      await deleteBridge();
      rmSync(this.root, { recursive: true, force: true });
      throw error;
    }
  }

  /** Syncs every 500 ms and renews the Node every 10 s until stop(). */
  startSyncing(): void {
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          await this.syncOnce();
        } catch (error) {
          if (!this.stopping) this.log(`sync: ${errorText(error)}`);
        }
        await delay(500);
      }
    })();
    this.heartbeat = setInterval(() => {
      void renewNode(this.api, this.nodeName).catch((error: unknown) => this.log(`node heartbeat: ${errorText(error)}`));
    }, 10_000);
  }

  pods(): RunningPodInfo[] {
    return [...this.runtimes.values()]
      .filter((runtime) => runtime.host !== undefined)
      .map((runtime) => ({
        namespace: runtime.pod.metadata.namespace ?? 'default',
        name: runtime.pod.metadata.name,
        podIP: runtime.host!.address,
        ready: runtime.ready,
        logFile: runtime.logFile,
      }));
  }

  logTail(namespace: string, name: string, bytes: number): string {
    return tail(this.runtimes.get(`${namespace}/${name}`)?.logFile ?? '', bytes);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeat);
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => this.terminatePod(runtime, false)));
    this.runtimes.clear();
    await this.api.call('DELETE', `/api/v1/nodes/${this.nodeName}`).catch(() => undefined);
    await this.forwarder?.close();
    await sweepPodNetwork();
    process.removeListener('exit', this.killOnExit);
    if (process.env.SWITCHYARD_E2E_KEEP_STATE !== '1') rmSync(this.root, { recursive: true, force: true });
  }

  // Last resort if the test process dies without stop(): no process or namespace outlives it.
  private readonly killOnExit = (): void => {
    this.options.podman.removeNow(
      [...this.runtimes.values()].filter((runtime) => runtime.container).map((runtime) => containerName(runtime.pod)),
    );
    for (const runtime of this.runtimes.values()) {
      if (runtime.host) execQuiet(['netns', 'del', runtime.host.netns]);
    }
    execQuiet(['link', 'del', 'sy-e2e-br0']);
  };

  private async syncOnce(): Promise<void> {
    await this.bindUnscheduledPods();
    await this.refreshDns();
    const onNode = (jsonPath(await this.api.get(`/api/v1/pods?fieldSelector=spec.nodeName%3D${this.nodeName}`), 'items') ?? []) as Pod[];
    const seen = new Set<string>();
    for (const pod of onNode) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      seen.add(key);
      this.syncPod(key, pod);
    }
    this.stopPodsNoLongerOnNode(seen);
  }

  /** Plays the scheduler: every selected Pod without a node is bound to this one. */
  private async bindUnscheduledPods(): Promise<void> {
    const unscheduled = (jsonPath(await this.api.get('/api/v1/pods?fieldSelector=spec.nodeName%3D'), 'items') ?? []) as Pod[];
    for (const pod of unscheduled) {
      if (!this.selects(pod) || pod.metadata.deletionTimestamp) continue;
      const res = await this.api.call('POST', `${podPath(pod)}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
      });
      if (res.status !== 201 && res.status !== 409)
        this.log(`binding ${pod.metadata.namespace}/${pod.metadata.name} failed: ${res.status} ${res.body.slice(0, 200)}`);
    }
  }

  /** Plays cluster DNS: every Pod's hosts file maps Service names to a ready endpoint. */
  private async refreshDns(): Promise<void> {
    const services = (jsonPath(await this.api.get('/api/v1/services'), 'items') ?? []) as {
      metadata: { name: string; namespace: string };
    }[];
    const slices = (jsonPath(await this.api.get('/apis/discovery.k8s.io/v1/endpointslices'), 'items') ?? []) as unknown[];
    const next = serviceHostEntries(services, slices);
    if (JSON.stringify(next) === JSON.stringify(this.dnsHosts)) return;
    this.dnsHosts = next;
    for (const runtime of this.runtimes.values())
      if (runtime.host) writePodHostsFile(runtime.host.netns, runtime.host.address, this.dnsHosts);
  }

  /** One Pod bound to this node: start it, finish its deletion, or probe it. */
  private syncPod(key: string, pod: Pod): void {
    const runtime = this.runtimes.get(key);
    if (runtime && runtime.pod.metadata.uid !== pod.metadata.uid) return; // the old one is still being torn down
    if (!runtime) {
      if (pod.metadata.deletionTimestamp) {
        this.track(
          `deleting ${key}`,
          this.api.call('DELETE', podPath(pod), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 }).then(() => undefined),
        );
        return;
      }
      const started = this.addRuntime(key, pod);
      this.track(
        `starting ${key}`,
        this.startPod(started).catch(async (error: unknown) => {
          started.failed = errorText(error);
          await this.patchStatus(started, false);
          throw error;
        }),
      );
      return;
    }
    if (pod.metadata.deletionTimestamp && !runtime.terminating) {
      runtime.terminating = true;
      this.track(`terminating ${key}`, this.finishDeletion(runtime));
      return;
    }
    this.track(`probing ${key}`, this.probe(runtime));
  }

  private addRuntime(key: string, pod: Pod): PodRuntime {
    const dir = join(this.root, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const runtime: PodRuntime = {
      key,
      pod,
      logFile: join(dir, 'process.log'),
      dir,
      ready: false,
      terminating: false,
      startedAt: new Date().toISOString(),
      restartCount: 0,
      livenessFailures: 0,
      lastLivenessProbe: 0,
      containerStartedAt: 0,
    };
    this.runtimes.set(key, runtime);
    return runtime;
  }

  private stopPodsNoLongerOnNode(seen: ReadonlySet<string>): void {
    for (const runtime of this.runtimes.values()) {
      if (!seen.has(runtime.key) && !runtime.terminating) {
        runtime.terminating = true;
        this.track(
          `stopping ${runtime.key} (Pod gone)`,
          this.terminatePod(runtime, false).finally(() => this.runtimes.delete(runtime.key)),
        );
      }
    }
  }

  /** Work that outlives one sync; stop() waits for it, and a failure is logged, not thrown. */
  private track(what: string, work: Promise<void>): void {
    const guarded = work.catch((error: unknown) => this.log(`${what}: ${errorText(error)}`));
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }

  private async startPod(runtime: PodRuntime): Promise<void> {
    const pod = runtime.pod;
    const container = pod.spec.containers[0]!;
    const podman = this.options.podman;
    runtime.image = await inspectLocalImage(podman, container.image);
    if (runtime.image === undefined) {
      // Nothing is pulled here: an image missing from the local store is the kubelet's
      // ErrImageNeverPull (pullPolicy Never) or an image pull back-off.
      const reason = container.imagePullPolicy === 'Never' ? 'ErrImageNeverPull' : 'ImagePullBackOff';
      runtime.waiting = { reason, message: `image ${container.image} is not in the node's image store (the stand-in never pulls)` };
      this.log(`${runtime.key}: ${reason}: ${runtime.waiting.message}`);
      await this.patchStatus(runtime, false);
      return;
    }
    let identity: ContainerIdentity;
    try {
      identity = containerIdentity(pod, container, runtime.image.user);
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      runtime.waiting = { reason: 'CreateContainerConfigError', message: error.message };
      this.log(`${runtime.key}: CreateContainerConfigError: ${error.message}`);
      await this.patchStatus(runtime, false);
      return;
    }
    runtime.octet = this.allocateOctet();
    runtime.host = await createPodHost(runtime.octet, this.dnsHosts);
    const podIP = runtime.host.address;
    const volumes = await materializeVolumes(this.api, pod, podIP, join(runtime.dir, 'volumes'));
    const mounts = (container.volumeMounts ?? []).map((mount) => {
      const source = volumes.hostDirs.get(mount.name);
      if (source === undefined) throw new Error(`container ${container.name} mounts unknown volume ${mount.name}`);
      return { source, destination: mount.mountPath, readOnly: mount.readOnly ?? false };
    });
    const env = await containerEnv(this.api, pod, container, podIP);
    const apiToken = [...volumes.apiTokens.values()][0];
    if (apiToken !== undefined) {
      mounts.push({ source: this.writePodKubeconfig(runtime, apiToken, identity), destination: POD_KUBECONFIG_DIR, readOnly: true });
      env['KUBECONFIG'] = `${POD_KUBECONFIG_DIR}/kubeconfig`;
    }
    const args = (container.args ?? []).map((arg) => expandVarRefs(arg, env));
    if (container.command && container.command.length > 0)
      throw new Error(`container ${container.name}: command overrides are not supported (the image entrypoint is switchyard)`);
    const host = runtime.host;
    const flags = securityFlags(pod, container, identity);
    runtime.launch = () =>
      startPodContainer(podman, {
        name: containerName(pod),
        image: container.image,
        netns: host.netns,
        hostname: pod.metadata.name,
        hostsFile: podHostsFile(host.netns),
        mounts,
        env,
        args,
        securityFlags: flags,
        logFile: runtime.logFile,
        pidDir: this.pidDir,
      });
    runtime.container = await runtime.launch();
    runtime.containerStartedAt = Date.now();
    this.log(`started ${runtime.key} at ${podIP} from ${container.image} as ${identity.user}: switchyard ${args[0] ?? ''}`);
    await this.patchStatus(runtime, false);
  }

  /** The lowest free last octet of a Pod address on the bridge (.1 is the host). */
  private allocateOctet(): number {
    let octet = 2;
    while (this.usedOctets.has(octet)) octet++;
    this.usedOctets.add(octet);
    return octet;
  }

  /**
   * Stands in for in-cluster config, whose token path is fixed: same token, same CA, the API
   * server reached through the forwarder on the bridge (its certificate names
   * kubernetes.default.svc, hence tls-server-name). A directory mounted read-only into the
   * container, readable by the container's user only.
   */
  private writePodKubeconfig(runtime: PodRuntime, apiToken: string, identity: ContainerIdentity): string {
    const dir = join(runtime.dir, 'kube');
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, 'kubeconfig');
    const ca = join(dir, 'ca.crt');
    writeFileSync(ca, readFileSync(this.caFile));
    writeFileSync(
      kubeconfig,
      renderPodKubeconfig(`https://${HOST_ADDRESS}:${this.apiserverPort}`, `${POD_KUBECONFIG_DIR}/ca.crt`, apiToken),
    );
    for (const path of [dir, kubeconfig, ca]) {
      chownSync(path, identity.uid ?? 0, identity.gid ?? 0);
      chmodSync(path, path === dir ? 0o500 : 0o400);
    }
    return dir;
  }

  private async patchStatus(runtime: PodRuntime, ready: boolean): Promise<void> {
    const res = await this.api.mergePatch(`${podPath(runtime.pod)}/status`, podStatus(runtime, ready, new Date().toISOString()));
    if (res.status === 200) runtime.ready = ready;
    else if (res.status !== 404) this.log(`status patch of ${runtime.key} failed: ${res.status} ${res.body.slice(0, 200)}`);
  }

  /**
   * Reports an exited container once; restarts a container whose liveness probe failed
   * failureThreshold times in a row (after its startup grace); reports readiness changes.
   */
  private async probe(runtime: PodRuntime): Promise<void> {
    if (!runtime.host || !runtime.container || runtime.terminating) return;
    const exit = runtime.container.exitStatus();
    if (exit !== undefined) {
      if (runtime.failed === undefined) {
        runtime.failed = exit;
        runtime.exitedAt = Date.now();
        this.log(`${runtime.key} ${exit}; last log lines:\n${tail(runtime.logFile, 1500)}`);
        await this.patchStatus(runtime, false);
      }
      await this.restartExited(runtime, exit);
      return;
    }
    const container = runtime.pod.spec.containers[0]!;
    const address = runtime.host.address;
    const liveness = container.livenessProbe;
    // The chart's startup probe allows 60 s; liveness is only judged after it.
    if (liveness?.httpGet && Date.now() - runtime.containerStartedAt > 60_000) {
      const period = (liveness.periodSeconds ?? 10) * 1000;
      if (Date.now() - runtime.lastLivenessProbe >= period) {
        runtime.lastLivenessProbe = Date.now();
        runtime.livenessFailures = (await probeOk(address, container, liveness)) ? 0 : runtime.livenessFailures + 1;
        if (runtime.livenessFailures >= (liveness.failureThreshold ?? 3)) {
          await this.restartContainer(runtime, container);
          return;
        }
      }
    }
    const readiness = container.readinessProbe;
    const ok = readiness?.httpGet ? await probeOk(address, container, readiness) : true;
    if (ok !== runtime.ready) {
      await this.patchStatus(runtime, ok);
      this.log(`${runtime.key} ${ok ? 'Ready' : 'not ready'}`);
    }
  }

  /**
   * restartPolicy (Always for a Deployment's Pods): an exited container is started again after a
   * back-off that doubles per restart, 1 s up to 8 s (the kubelet's is 10 s up to 5 min;
   * shortened so chaos tests see the restart).
   */
  private async restartExited(runtime: PodRuntime, exit: string): Promise<void> {
    const policy = runtime.pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && exitCodeOf(exit) === 0) || !runtime.launch) return;
    const backoffMs = Math.min(1000 * 2 ** runtime.restartCount, 8000);
    if (Date.now() - (runtime.exitedAt ?? 0) < backoffMs) return;
    runtime.restartCount++;
    runtime.lastTermination = exit;
    runtime.failed = undefined;
    runtime.livenessFailures = 0;
    runtime.container = await runtime.launch();
    runtime.containerStartedAt = Date.now();
    this.log(`${runtime.key}: container restarted after it ${exit} (restart ${runtime.restartCount})`);
    await this.patchStatus(runtime, false);
  }

  /** The kubelet's answer to a failed liveness probe: kill the container, start it again. */
  private async restartContainer(runtime: PodRuntime, container: Container): Promise<void> {
    this.log(`${runtime.key}: liveness probe failed ${runtime.livenessFailures} times; restarting the container`);
    await this.patchStatus(runtime, false);
    await runtime.container?.stop((runtime.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
    if (runtime.terminating || !runtime.launch) return;
    runtime.restartCount++;
    runtime.livenessFailures = 0;
    runtime.container = await runtime.launch();
    runtime.containerStartedAt = Date.now();
    this.log(`${runtime.key}: container ${container.name} restarted (restart ${runtime.restartCount})`);
  }

  private async terminatePod(runtime: PodRuntime, gracefully: boolean): Promise<void> {
    runtime.terminating = true;
    const container = runtime.pod.spec.containers[0];
    if (runtime.container) {
      const preStop = container?.lifecycle?.preStop?.sleep?.seconds ?? 0;
      if (gracefully && preStop > 0) await delay(preStop * 1000);
      const grace = gracefully ? (runtime.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000 : 5_000;
      await runtime.container.stop(grace);
    }
    if (runtime.host) await deletePodHost(runtime.host);
    if (runtime.octet !== undefined) this.usedOctets.delete(runtime.octet);
    runtime.host = undefined;
  }

  private async finishDeletion(runtime: PodRuntime): Promise<void> {
    try {
      await this.terminatePod(runtime, true);
      // The kubelet's last word: delete with grace 0 once the containers are gone.
      await this.api.call('DELETE', podPath(runtime.pod), {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: runtime.pod.metadata.uid },
      });
      this.log(`deleted ${runtime.key}`);
    } finally {
      this.runtimes.delete(runtime.key);
    }
  }
}

function podPath(pod: Pod): string {
  return `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
}

/** `<service>.<namespace>.svc[.cluster.local]` -> the address of a ready endpoint, for every Service that has one. */
function serviceHostEntries(
  services: readonly { metadata: { name: string; namespace: string } }[],
  slices: readonly unknown[],
): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const service of services) {
    const { name, namespace } = service.metadata;
    const address = slices
      .filter(
        (slice) =>
          jsonPath(slice, 'metadata', 'namespace') === namespace &&
          jsonPath(slice, 'metadata', 'labels', 'kubernetes.io/service-name') === name,
      )
      .flatMap((slice) => (jsonPath(slice, 'endpoints') ?? []) as unknown[])
      .filter((endpoint) => jsonPath(endpoint, 'conditions', 'ready') === true)
      .map((endpoint) => jsonPath(endpoint, 'addresses', 0))
      .find((value): value is string => typeof value === 'string');
    if (address === undefined) continue;
    for (const alias of [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`]) entries[alias] = address;
  }
  return entries;
}

/** The Pod status a kubelet would report: Running, with the readiness the probe saw. */
function podStatus(runtime: PodRuntime, ready: boolean, now: string): { status: Record<string, unknown> } {
  const podIP = runtime.host?.address;
  const readyStatus = ready ? 'True' : 'False';
  const container = runtime.pod.spec.containers[0]!;
  return {
    status: {
      phase: runtime.waiting ? 'Pending' : 'Running',
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
          image: container.image,
          imageID: runtime.image?.id ?? '',
          containerID: runtime.container ? `podman://${runtime.container.name}` : '',
          ready,
          started: runtime.container !== undefined,
          restartCount: runtime.restartCount,
          ...(runtime.lastTermination
            ? {
                lastState: {
                  terminated: { exitCode: exitCodeOf(runtime.lastTermination), reason: 'Error', message: runtime.lastTermination },
                },
              }
            : {}),
          state: runtime.waiting
            ? { waiting: runtime.waiting }
            : runtime.failed
              ? { terminated: { exitCode: exitCodeOf(runtime.failed), reason: 'Error', message: runtime.failed } }
              : { running: { startedAt: new Date(runtime.containerStartedAt || Date.now()).toISOString() } },
        },
      ],
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a Pod's stand-in kubeconfig (and the API server's CA) is mounted in its container. */
const POD_KUBECONFIG_DIR = '/var/run/sy-e2e-kube';

function podHostsFile(netns: string): string {
  return `/etc/netns/${netns}/hosts`;
}

function exitCodeOf(status: string): number {
  const match = /exited with code (\d+)/.exec(status);
  return match ? Number(match[1]) : 137;
}

/** An HTTP probe against the container on its Pod address. */
function probeOk(address: string, container: Container, probe: HttpGetProbe): Promise<boolean> {
  const httpProbe = probe.httpGet!;
  return httpOk(address, resolveContainerPort(container, httpProbe.port), httpProbe.path ?? '/', (probe.timeoutSeconds ?? 2) * 1000);
}

async function containerEnv(api: KubeApi, pod: Pod, container: Container, podIP: string): Promise<Record<string, string>> {
  const namespace = pod.metadata.namespace ?? 'default';
  // The image supplies PATH and HOME; only the Pod's variables are added.
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (variable.value !== undefined) value = expandVarRefs(variable.value, env);
    else if (from?.fieldRef) value = fieldRefValue(pod, from.fieldRef.fieldPath, podIP);
    else if (from?.secretKeyRef) {
      const secret = await api.call('GET', `/api/v1/namespaces/${namespace}/secrets/${from.secretKeyRef.name}`);
      const encoded = jsonPath(secret.json, 'data', from.secretKeyRef.key);
      if (typeof encoded === 'string') value = Buffer.from(encoded, 'base64').toString('utf8');
      else if (!from.secretKeyRef.optional)
        throw new Error(`env ${variable.name}: Secret ${namespace}/${from.secretKeyRef.name} has no key ${from.secretKeyRef.key}`);
    } else if (from?.configMapKeyRef) {
      const configMap = await api.call('GET', `/api/v1/namespaces/${namespace}/configmaps/${from.configMapKeyRef.name}`);
      const text = jsonPath(configMap.json, 'data', from.configMapKeyRef.key);
      if (typeof text === 'string') value = text;
      else if (!from.configMapKeyRef.optional)
        throw new Error(`env ${variable.name}: ConfigMap ${namespace}/${from.configMapKeyRef.name} has no key ${from.configMapKeyRef.key}`);
    }
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

function renderPodKubeconfig(server: string, caFile: string, token: string): string {
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
      metadata: {
        name: nodeName,
        labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      },
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
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'the e2e kubelet stand-in is running',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
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

function httpOk(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
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
