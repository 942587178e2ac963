// Podman as the tests use it: a private image store and runtime state under the Switchyard cache
// (never the machine's default store), runc with cgroupfs, explicit ulimits, and a containers.conf
// of our own. Containers never use podman's default bridge (it routes to 10.88.0.0/16): callers
// pick `--network none`, `host` or a network namespace they created.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type CommandResult } from '../run-command.js';

export interface Podman {
  /** The podman binary and the global flags that select the private store. */
  readonly command: string;
  readonly globalArgs: readonly string[];
  /** Environment every podman invocation needs (CONTAINERS_CONF). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the store lives; containers go under this cgroup parent. */
  readonly root: string;
  readonly cgroupParent: string;
  run(args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<CommandResult>;
  /** Like run, but throws with podman's stderr on a non-zero exit. */
  ok(args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<string>;
  /** Synchronous `podman rm -f`, for exit handlers. */
  removeNow(names: readonly string[]): void;
}

const CONTAINERS_CONF = `# Written by the Switchyard e2e harness.
[containers]
# Both limits explicit: the sandbox refuses podman's defaults.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[network]
network_backend = "netavark"
[engine]
# crun cannot run on hybrid cgroup hierarchies; runc can.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

/** The cache root shared with the control-plane binaries (SWITCHYARD_CACHE overrides). */
function cacheRoot(): string {
  return process.env.SWITCHYARD_CACHE || join(homedir(), '.cache', 'switchyard');
}

/** The memory cgroup this process runs in: containers are placed under it, so they are ours. */
function ownCgroup(): string {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[1] === 'memory' || entry.startsWith('0::'));
    const path = line?.split(':')[2] ?? '/';
    return path === '/' ? '' : path.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

export function privatePodman(root = join(cacheRoot(), 'podman')): Podman {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const conf = join(root, 'containers.conf');
  writeFileSync(conf, CONTAINERS_CONF);
  const env = { CONTAINERS_CONF: conf };
  const globalArgs = ['--root', join(root, 'storage'), '--runroot', join(root, 'run'), '--storage-driver', 'overlay'];
  const run = (args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}) =>
    runCommand('podman', [...globalArgs, ...args], {
      env: { ...process.env, ...env, ...options.env },
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  return {
    command: 'podman',
    globalArgs,
    env,
    root,
    cgroupParent: `${ownCgroup()}/switchyard-e2e`,
    run,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${result.code}): ${result.stderr.trim().slice(0, 2000)}`);
      return result.stdout;
    },
    removeNow(names) {
      if (names.length === 0) return;
      try {
        execFileSync('podman', [...globalArgs, 'rm', '--force', '--time', '0', ...names], {
          stdio: 'ignore',
          timeout: 30_000,
          env: { ...process.env, ...env },
        });
      } catch {
        // Gone already.
      }
    },
  };
}

/** Whether podman with runc can run containers here (root, packages installed). */
export async function podmanWorks(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'podman tests run as root (runc, network namespaces)' };
  for (const binary of ['podman', 'runc']) {
    const found = await runCommand('sh', ['-c', `command -v ${binary}`], { timeoutMs: 5_000 });
    if (found.code !== 0) return { ok: false, reason: `${binary} is not installed (apt-get install podman runc)` };
  }
  return { ok: true };
}
