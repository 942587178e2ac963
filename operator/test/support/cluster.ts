// A real etcd + kube-apiserver (the e2e harness) with the Switchyard CRDs installed, and the
// helpers operator tests share. Tests skip, saying why, when the binaries are not built.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '@switchyard/e2e';
import { startSwitchyard, type LoggedProcess } from './child-process.js';
import { crdDir, rbacDir } from './repo-paths.js';

export interface TestCluster {
  plane: ControlPlane;
  kubeconfigPath: string;
  /** `kubectl apply -f -`; throws with kubectl's message on failure. */
  apply(yaml: string): Promise<string>;
  /** `kubectl <args>`; throws on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** `kubectl get ... -o json`, parsed. */
  getJson<T = Record<string, unknown>>(args: string[]): Promise<T>;
  /**
   * Installs operator/rbac/ (namespace switchyard-system) and returns a kubeconfig that
   * authenticates as the operator's ServiceAccount: tests then prove the RBAC is enough.
   */
  operatorKubeconfig(): Promise<string>;
  /** A ServiceAccount (created if absent) and a token for it in a file; returns the file. */
  tokenFile(serviceAccount: string, namespace?: string, audience?: string): Promise<string>;
  tempDir: string;
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  const plane = await startControlPlane({ controllerManager: false });
  const tempDir = await mkdtemp(join(tmpdir(), 'switchyard-op-test-'));
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const result = await plane.kubectl(args, input);
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout;
  };
  try {
    await kubectl(['apply', '--server-side', '-f', crdDir]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/modelroutes.switchyard.dev',
      'crd/virtualkeys.switchyard.dev',
      'crd/budgets.switchyard.dev',
      'crd/mcpservers.switchyard.dev',
    ]);
  } catch (error) {
    await plane.stop();
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  let tokens = 0;
  return {
    plane,
    kubeconfigPath: plane.kubeconfigPath,
    tempDir,
    kubectl,
    apply: (yaml) => kubectl(['apply', '-f', '-'], yaml),
    async getJson<T>(args: string[]): Promise<T> {
      return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
    },
    async operatorKubeconfig() {
      const namespaces = await plane.kubectl(['get', 'namespace', 'switchyard-system']);
      if (namespaces.code !== 0) await kubectl(['create', 'namespace', 'switchyard-system']);
      await kubectl(['apply', '-f', rbacDir]);
      const token = (await kubectl(['create', 'token', 'switchyard-operator', '-n', 'switchyard-system', '--duration', '2h'])).trim();
      const file = join(tempDir, 'operator.kubeconfig');
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: plane.server, 'certificate-authority': plane.caFile } }],
        users: [{ name: 'switchyard-operator', user: { token } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'switchyard-operator' } }],
        'current-context': 'test',
      };
      await writeFile(file, JSON.stringify(config), { mode: 0o600 });
      return file;
    },
    async tokenFile(serviceAccount, namespace = 'default', audience = 'switchyard') {
      const existing = await plane.kubectl(['get', 'serviceaccount', serviceAccount, '-n', namespace]);
      if (existing.code !== 0) await kubectl(['create', 'serviceaccount', serviceAccount, '-n', namespace]);
      const token = (
        await kubectl(['create', 'token', serviceAccount, '-n', namespace, '--audience', audience, '--duration', '1h'])
      ).trim();
      const file = join(tempDir, `token-${namespace}-${serviceAccount}-${++tokens}`);
      await writeFile(file, token, { mode: 0o600 });
      return file;
    },
    async stop() {
      await plane.stop();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

export interface OperatorProcess {
  process: LoggedProcess;
  healthUrl: string;
  listenUrl: string;
  replicaId: string;
}

/** `switchyard operator` as a child process; resolves once it logged "operator started". */
export async function startOperatorProcess(options: {
  kubeconfigPath: string;
  listenPort: number;
  replicaId: string;
  leaderElectionNamespace?: string;
  args?: string[];
  /** Extra environment, e.g. NODE_OPTIONS for a bench that inspects the operator's heap. */
  env?: NodeJS.ProcessEnv;
  /** A command the operator's command line is appended to (memoryCgroup's launcher). */
  launcher?: readonly string[];
  /** Another build's bin/switchyard.mjs (default this tree's). */
  bin?: string;
}): Promise<OperatorProcess> {
  const proc = startSwitchyard(
    [
      'operator',
      '--kubeconfig',
      options.kubeconfigPath,
      '--listen',
      `127.0.0.1:${options.listenPort}`,
      '--health-port',
      '0',
      '--replica-id',
      options.replicaId,
      '--leader-election-namespace',
      options.leaderElectionNamespace ?? 'default',
      '--shared-namespace',
      'default',
      ...(options.args ?? []),
    ],
    { SWITCHYARD_LOG_LEVEL: 'info', ...options.env },
    options.launcher,
    options.bin,
  );
  const started = await proc.waitForRecord((r) => r.msg === 'operator started');
  return {
    process: proc,
    healthUrl: `http://127.0.0.1:${String(started.healthPort)}`,
    listenUrl: `http://127.0.0.1:${options.listenPort}`,
    replicaId: options.replicaId,
  };
}

export interface GatewayProcess {
  process: LoggedProcess;
  url: string;
  adminUrl: string;
}

/** `switchyard gateway --control-plane ...`; resolves once it logged "listening" (not yet ready). */
export async function startClusterGateway(options: {
  controlPlaneUrl: string;
  tokenFile: string;
  name: string;
  port?: number;
  /** More gateway flags. */
  args?: string[];
}): Promise<GatewayProcess> {
  const proc = startSwitchyard(
    [
      'gateway',
      '--control-plane',
      options.controlPlaneUrl,
      '--token-file',
      options.tokenFile,
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port ?? 0),
      '--admin-port',
      '0',
      ...(options.args ?? []),
    ],
    { POD_NAME: options.name },
  );
  const listening = await proc.waitForRecord((r) => r.msg === 'listening');
  return { process: proc, url: `http://127.0.0.1:${String(listening.port)}`, adminUrl: `http://127.0.0.1:${String(listening.adminPort)}` };
}

export async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export function conditionOf(object: unknown, type: string): ConditionView | undefined {
  const conditions = (object as { status?: { conditions?: ConditionView[] } }).status?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}
