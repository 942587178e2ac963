import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiRequest, type ApiConnection, type ApiResponse } from './api-request.js';
import { locateControlPlaneBinaries } from './control-plane-binaries.js';
import { apiserverFlags, controllerManagerFlags, etcdFlags, type ControlPlaneLayout } from './control-plane-flags.js';
import { findFreePorts } from './free-port.js';
import { renderKubeconfig } from './kubeconfig.js';
import { delay, isRunningBinary, startManagedProcess, stopByPidFile, type ManagedProcess } from './managed-process.js';
import { runCommand, type CommandResult } from './run-command.js';
import { generateServiceAccountKeyPair } from './service-account-keys.js';
import { renderTokenAuthFile } from './token-auth-file.js';

export interface ControlPlaneOptions {
  /** Run kube-controller-manager too (Deployments make ReplicaSets and Pods, GC, namespaces). Default true. */
  controllerManager?: boolean;
  /** State directory (etcd data, keys, logs, kubeconfig). Default: a fresh temp dir. Replaced if it holds an old instance. */
  stateDir?: string;
  /** Leave the processes running after this Node process exits (e2e-up). Default false. */
  detached?: boolean;
  /** Overall start-up deadline. Default 180 s (the 2-core CI machine is often busy). */
  startTimeoutMs?: number;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

export interface ControlPlane {
  kubeconfigPath: string;
  server: string;
  /** Admin bearer token (group system:masters). Test-only credential; never log it. */
  token: string;
  caFile: string;
  binDir: string;
  stateDir: string;
  /** Environment for kubectl/helm: KUBECONFIG, PATH with binDir first, caches inside stateDir. */
  env: NodeJS.ProcessEnv;
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  helm(args: string[], input?: string): Promise<CommandResult>;
  /** A JSON request to the API server as the admin user. */
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /**
   * Chaos: kills kube-apiserver (SIGKILL), keeps it down for `downMs`, starts it again on the same
   * port with the same certificates and waits until it is ready. Resolves with how long it was
   * unavailable in total.
   */
  restartApiServer(downMs: number): Promise<{ unavailableMs: number }>;
  /** Stops every process and removes stateDir (set SWITCHYARD_E2E_KEEP_STATE=1 to keep it). */
  stop(): Promise<void>;
}

export class ControlPlaneBinariesMissingError extends Error {
  constructor(
    readonly binDir: string,
    readonly missing: string[],
  ) {
    super(`control-plane binaries missing in ${binDir}: ${missing.join(', ')}; build them with \`make e2e-build\``);
    this.name = 'ControlPlaneBinariesMissingError';
  }
}

/** Marks a directory as ours, so cleanup never deletes a directory it did not create. */
const STATE_MARKER = '.switchyard-e2e-state';
/** Written last on a successful start; e2e-up reads it to report an instance that is already up. */
const STATE_FILE = 'control-plane.json';
/** Stop order: dependents first. */
const PROCESS_NAMES = ['kube-controller-manager', 'kube-apiserver', 'etcd'] as const;
const PORT_ATTEMPTS = 3;

export interface ControlPlaneState {
  server: string;
  kubeconfigPath: string;
  caFile: string;
  binDir: string;
  controllerManager: boolean;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const withControllerManager = options.controllerManager ?? true;
  const binaries = locateControlPlaneBinaries();
  const needed = ['etcd', 'kube-apiserver', 'kubectl', ...(withControllerManager ? ['kube-controller-manager'] : [])];
  const missing = binaries.missing.filter((name) => needed.includes(name));
  if (missing.length > 0) throw new ControlPlaneBinariesMissingError(binaries.binDir, missing);
  const binDir = binaries.binDir;

  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'switchyard-cp-'));
  await resetStateDir(stateDir);
  const dirs = {
    logs: join(stateDir, 'logs'),
    pids: join(stateDir, 'pids'),
    pki: join(stateDir, 'pki'),
    home: join(stateDir, 'home'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });

  const keys = await generateServiceAccountKeyPair();
  const adminToken = randomBytes(32).toString('hex');
  const controllerManagerToken = randomBytes(32).toString('hex');
  const files = {
    saKey: join(dirs.pki, 'service-account.key'),
    saPub: join(dirs.pki, 'service-account.pub'),
    tokens: join(dirs.pki, 'token-auth.csv'),
    kubeconfig: join(stateDir, 'kubeconfig'),
    kcmKubeconfig: join(dirs.pki, 'kube-controller-manager.kubeconfig'),
  };
  writeFileSync(files.saKey, keys.privateKeyPem, { mode: 0o600 });
  writeFileSync(files.saPub, keys.publicKeyPem, { mode: 0o600 });
  writeFileSync(
    files.tokens,
    renderTokenAuthFile([
      { token: adminToken, username: 'switchyard-e2e-admin', uid: 'switchyard-e2e-admin', groups: ['system:masters'] },
      // The built-in RBAC role for this user name grants exactly what the controller manager needs.
      { token: controllerManagerToken, username: 'system:kube-controller-manager', uid: 'kube-controller-manager', groups: [] },
    ]),
    { mode: 0o600 },
  );

  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  const started: ManagedProcess[] = [];
  const stopStarted = async () => {
    for (const proc of [...started].reverse()) await proc.stop();
    started.length = 0;
  };
  const spawnOne = (name: (typeof PROCESS_NAMES)[number], args: string[]) => {
    const proc = startManagedProcess({
      name,
      command: join(binDir, name),
      args,
      logFile: join(dirs.logs, `${name}.log`),
      pidDir: dirs.pids,
      detached: options.detached ?? false,
    });
    started.push(proc);
    log(`started ${name} (pid ${proc.pid}, log ${proc.logFile})`);
    return proc;
  };

  let layout: ControlPlaneLayout | undefined;
  let ca = '';
  for (let attempt = 1; layout === undefined; attempt++) {
    const [etcdClientPort, etcdPeerPort, apiserverPort, controllerManagerPort] = await findFreePorts(4);
    const candidate: ControlPlaneLayout = {
      etcdDataDir: join(stateDir, `etcd-${attempt}`),
      etcdClientPort: etcdClientPort!,
      etcdPeerPort: etcdPeerPort!,
      apiserverPort: apiserverPort!,
      apiserverCertDir: join(stateDir, 'apiserver-certs'),
      serviceAccountPublicKeyFile: files.saPub,
      serviceAccountPrivateKeyFile: files.saKey,
      tokenAuthFile: files.tokens,
      controllerManagerPort: controllerManagerPort!,
      controllerManagerCertDir: join(stateDir, 'controller-manager-certs'),
      controllerManagerKubeconfig: files.kcmKubeconfig,
      apiserverCaFile: join(stateDir, 'apiserver-certs', 'apiserver.crt'),
    };
    try {
      const etcd = spawnOne('etcd', etcdFlags(candidate));
      await waitFor('etcd /health', deadline, [etcd], () => etcdHealthy(candidate.etcdClientPort));
      log('etcd healthy');
      const apiserver = spawnOne('kube-apiserver', apiserverFlags(candidate, { controllerManager: withControllerManager }));
      await waitFor('kube-apiserver serving certificate', deadline, [etcd, apiserver], async () => existsSync(candidate.apiserverCaFile));
      ca = readFileSync(candidate.apiserverCaFile, 'utf8');
      const connection = { server: `https://127.0.0.1:${candidate.apiserverPort}`, token: adminToken, ca };
      await waitFor('kube-apiserver /readyz', deadline, [etcd, apiserver], async () => {
        const res = await apiRequest(connection, 'GET', '/readyz', undefined, 5_000).catch(() => undefined);
        return res?.status === 200;
      });
      log('kube-apiserver ready');
      if (withControllerManager) {
        writeFileSync(
          files.kcmKubeconfig,
          renderKubeconfig({
            server: connection.server,
            caFile: candidate.apiserverCaFile,
            token: controllerManagerToken,
            user: 'kube-controller-manager',
          }),
          { mode: 0o600 },
        );
        const kcm = spawnOne('kube-controller-manager', controllerManagerFlags(candidate));
        // The default ServiceAccount appears once the controllers run; Pods need it (admission).
        await waitFor('kube-controller-manager (default ServiceAccount)', deadline, [etcd, apiserver, kcm], async () => {
          const res = await apiRequest(connection, 'GET', '/api/v1/namespaces/default/serviceaccounts/default', undefined, 5_000).catch(
            () => undefined,
          );
          return res?.status === 200;
        });
        log('kube-controller-manager running');
      }
      layout = candidate;
    } catch (error) {
      const portClash = started.some((proc) => readTail(proc.logFile, 4000).includes('address already in use'));
      await stopStarted();
      if (!portClash || attempt >= PORT_ATTEMPTS || Date.now() >= deadline) {
        if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
        throw error;
      }
      log(`a port was taken between probe and bind; retrying (attempt ${attempt + 1})`);
    }
  }

  const server = `https://127.0.0.1:${layout.apiserverPort}`;
  writeFileSync(
    files.kubeconfig,
    renderKubeconfig({ server, caFile: layout.apiserverCaFile, token: adminToken, user: 'switchyard-e2e-admin' }),
    {
      mode: 0o600,
    },
  );
  const state: ControlPlaneState = {
    server,
    kubeconfigPath: files.kubeconfig,
    caFile: layout.apiserverCaFile,
    binDir,
    controllerManager: withControllerManager,
  };
  writeFileSync(join(stateDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);

  const connection: ApiConnection = { server, token: adminToken, ca };
  const env = toolEnv(binDir, files.kubeconfig, dirs.home);
  const readyLayout = layout;
  const restartApiServer = async (downMs: number): Promise<{ unavailableMs: number }> => {
    const killedAt = Date.now();
    const apiserver = started.find((proc) => proc.name === 'kube-apiserver');
    if (apiserver === undefined) throw new Error('kube-apiserver is not running');
    signalQuietly(apiserver.pid, 'SIGKILL');
    await apiserver.stop(5_000);
    started.splice(started.indexOf(apiserver), 1);
    await delay(downMs);
    const restarted = spawnOne('kube-apiserver', apiserverFlags(readyLayout, { controllerManager: withControllerManager }));
    const etcd = started.filter((proc) => proc.name === 'etcd');
    await waitFor('kube-apiserver /readyz after a restart', Date.now() + 120_000, [...etcd, restarted], async () => {
      const res = await apiRequest(connection, 'GET', '/readyz', undefined, 5_000).catch(() => undefined);
      return res?.status === 200;
    });
    log('kube-apiserver restarted');
    return { unavailableMs: Date.now() - killedAt };
  };
  let stopped = false;
  const killOnExit = () => {
    for (const proc of started) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  if (!options.detached) process.once('exit', killOnExit);

  return {
    kubeconfigPath: files.kubeconfig,
    server,
    token: adminToken,
    caFile: layout.apiserverCaFile,
    binDir,
    stateDir,
    env,
    kubectl: (args, input) => runCommand(join(binDir, 'kubectl'), args, input === undefined ? { env } : { env, input }),
    helm: (args, input) => runCommand(join(binDir, 'helm'), args, input === undefined ? { env } : { env, input }),
    request: (method, path, body) => apiRequest(connection, method, path, body),
    restartApiServer,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      await stopStarted();
      if (process.env.SWITCHYARD_E2E_KEEP_STATE !== '1') rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops whatever a previous start left in stateDir (by pid files) and deletes the directory.
 * Refuses a non-empty directory that is not ours.
 */
export async function stopControlPlaneAt(stateDir: string): Promise<string[]> {
  if (!existsSync(stateDir)) return [];
  assertOwnedStateDir(stateDir);
  const stoppedNames: string[] = [];
  for (const name of PROCESS_NAMES) {
    if ((await stopByPidFile(join(stateDir, 'pids', `${name}.pid`), name)) === 'stopped') stoppedNames.push(name);
  }
  rmSync(stateDir, { recursive: true, force: true });
  return stoppedNames;
}

/** The recorded state when every process of a previous start in stateDir is still alive. */
export function readRunningControlPlane(stateDir: string): ControlPlaneState | undefined {
  const stateFile = join(stateDir, STATE_FILE);
  if (!existsSync(stateFile) || !existsSync(join(stateDir, STATE_MARKER))) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ControlPlaneState;
  const names = state.controllerManager ? PROCESS_NAMES : PROCESS_NAMES.filter((name) => name !== 'kube-controller-manager');
  for (const name of names) {
    const pidFile = join(stateDir, 'pids', `${name}.pid`);
    if (!existsSync(pidFile)) return undefined;
    if (!isRunningBinary(Number.parseInt(readFileSync(pidFile, 'utf8'), 10), name)) return undefined;
  }
  return state;
}

function toolEnv(binDir: string, kubeconfigPath: string, homeDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: kubeconfigPath,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    KUBECACHEDIR: join(homeDir, 'kube-cache'),
    HELM_CACHE_HOME: join(homeDir, 'helm-cache'),
    HELM_CONFIG_HOME: join(homeDir, 'helm-config'),
    HELM_DATA_HOME: join(homeDir, 'helm-data'),
  };
}

async function resetStateDir(stateDir: string): Promise<void> {
  if (existsSync(stateDir)) await stopControlPlaneAt(stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(stateDir, STATE_MARKER), 'created by @switchyard/e2e; deleted by e2e-down\n');
}

function assertOwnedStateDir(stateDir: string): void {
  if (existsSync(join(stateDir, STATE_MARKER))) return;
  if (readdirSync(stateDir).length === 0) return;
  throw new Error(`${stateDir} is not empty and was not created by the e2e harness (no ${STATE_MARKER}); refusing to delete it`);
}

async function waitFor(what: string, deadline: number, processes: ManagedProcess[], check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    for (const proc of processes) {
      const status = proc.exitStatus();
      if (status !== undefined) {
        throw new Error(
          `${proc.name} ${status} while waiting for ${what}; last log lines (${proc.logFile}):\n${readTail(proc.logFile, 3000)}`,
        );
      }
    }
    if (await check()) return;
    if (Date.now() >= deadline) {
      const tails = processes.map((proc) => `--- ${proc.name} (${proc.logFile}):\n${readTail(proc.logFile, 2000)}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${tails}`);
    }
    await delay(250);
  }
}

function etcdHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/health', timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function readTail(path: string, bytes: number): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '(no log)';
  }
}
