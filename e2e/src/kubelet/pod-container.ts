// One Pod container run from its image with podman (runc): in the Pod's network namespace, with
// the Pod's volumes bind-mounted at their mount paths, its environment, its security context and
// limits, and the stand-in's cluster-DNS hosts file as /etc/hosts. Output goes to the Pod's log
// file through the attached `podman run`, whose exit is the container's.
import type { Podman } from '../image/index.js';
import { startManagedProcess, type ManagedProcess } from '../managed-process.js';

export interface ImageInfo {
  id: string;
  /** The image config's USER ('' when unset). */
  user: string;
}

/** The image from the local store, or undefined when it is not there (nothing is ever pulled). */
export async function inspectLocalImage(podman: Podman, reference: string): Promise<ImageInfo | undefined> {
  const result = await podman.run(['image', 'inspect', '--format', '{{.Id}}\t{{.Config.User}}', reference], { timeoutMs: 30_000 });
  if (result.code !== 0) return undefined;
  const [id = '', user = ''] = result.stdout.trim().split('\t');
  return { id, user };
}

export interface PodContainerSpec {
  /** Container name in podman (unique per Pod container). */
  name: string;
  image: string;
  netns: string;
  hostname: string;
  /** The stand-in's cluster-DNS hosts file for this Pod. */
  hostsFile: string;
  mounts: readonly { source: string; destination: string; readOnly: boolean }[];
  env: Readonly<Record<string, string>>;
  args: readonly string[];
  securityFlags: readonly string[];
  logFile: string;
  pidDir: string;
}

export interface PodContainer {
  name: string;
  /** Set once the container has exited. */
  exitStatus(): string | undefined;
  /** SIGTERM, then SIGKILL after the grace period; the container is removed either way. */
  stop(graceMs: number): Promise<void>;
}

// Variables podman itself reads: passed literally rather than through podman's own environment.
const PODMAN_OWN_VARIABLES = new Set([
  'PATH',
  'HOME',
  'TMPDIR',
  'CONTAINERS_CONF',
  'CONTAINERS_STORAGE_CONF',
  'CONTAINERS_REGISTRIES_CONF',
]);

export async function startPodContainer(podman: Podman, spec: PodContainerSpec): Promise<PodContainer> {
  // A container of the same name left by a crashed run would make `podman run` refuse.
  await podman.run(['rm', '--force', '--time', '0', spec.name], { timeoutMs: 30_000 });
  // Values reach the container as `--env NAME`, read from podman's environment, so Secrets in
  // env vars never appear on a command line.
  const envFlags: string[] = [];
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    if (PODMAN_OWN_VARIABLES.has(name)) envFlags.push('--env', `${name}=${value}`);
    else {
      envFlags.push('--env', name);
      passed[name] = value;
    }
  }
  const mountFlags = [{ source: spec.hostsFile, destination: '/etc/hosts', readOnly: true }, ...spec.mounts].flatMap((mount) => [
    '--mount',
    `type=bind,source=${mount.source},destination=${mount.destination}${mount.readOnly ? ',ro=true' : ''}`,
  ]);
  const process_: ManagedProcess = startManagedProcess({
    name: spec.name,
    command: podman.command,
    args: [
      ...podman.globalArgs,
      'run',
      '--name',
      spec.name,
      '--pull=never',
      '--network',
      `ns:/run/netns/${spec.netns}`,
      '--hostname',
      spec.hostname,
      '--cgroup-parent',
      podman.cgroupParent,
      ...mountFlags,
      ...envFlags,
      ...spec.securityFlags,
      spec.image,
      ...spec.args,
    ],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...podman.env, ...passed },
    logFile: spec.logFile,
    pidDir: spec.pidDir,
  });
  return {
    name: spec.name,
    exitStatus: () => process_.exitStatus(),
    async stop(graceMs) {
      if (process_.exitStatus() === undefined) {
        const seconds = Math.max(0, Math.ceil(graceMs / 1000));
        await podman.run(['stop', '--time', String(seconds), spec.name], { timeoutMs: graceMs + 30_000 });
      }
      // The attached `podman run` ends with the container; a short deadline covers a lost one.
      await process_.stop(10_000);
      await podman.run(['rm', '--force', '--time', '0', spec.name], { timeoutMs: 30_000 });
    },
  };
}
