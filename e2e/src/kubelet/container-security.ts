// A container's effective security context (the container's fields over the Pod's) turned into
// podman run flags, with the kubelet's own refusal: runAsNonRoot with an image or a runAsUser
// that would run as root (or as a user name, which cannot be verified) does not start.
import type { Container, Pod } from './pod-types.js';

export class ContainerConfigError extends Error {}

export interface ContainerIdentity {
  /** podman's --user value: uid:gid, or the image's own user when nothing numeric is known. */
  user: string;
  uid?: number;
  gid?: number;
}

/** `USER 10001:10001` / `10001` / `nonroot` from the image config, as numbers when numeric. */
function parseImageUser(user: string): { uid?: number; gid?: number } {
  const [uid, gid] = user.split(':');
  return {
    ...(uid !== undefined && /^\d+$/.test(uid) ? { uid: Number(uid) } : {}),
    ...(gid !== undefined && /^\d+$/.test(gid) ? { gid: Number(gid) } : {}),
  };
}

/** The uid/gid the container runs as; throws ContainerConfigError as the kubelet would. */
export function containerIdentity(pod: Pod, container: Container, imageUser: string): ContainerIdentity {
  const podContext = pod.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const fromImage = parseImageUser(imageUser);
  const uid = own.runAsUser ?? podContext.runAsUser ?? fromImage.uid;
  const gid = own.runAsGroup ?? podContext.runAsGroup ?? fromImage.gid ?? 0;
  const nonRoot = own.runAsNonRoot ?? podContext.runAsNonRoot ?? false;
  if (uid === undefined) {
    if (nonRoot && imageUser !== '')
      throw new ContainerConfigError(
        `container has runAsNonRoot and image has non-numeric user (${imageUser}), cannot verify user is non-root`,
      );
    if (nonRoot) throw new ContainerConfigError('container has runAsNonRoot and image will run as root');
    return { user: imageUser === '' ? '0:0' : imageUser };
  }
  if (nonRoot && uid === 0) throw new ContainerConfigError('container has runAsNonRoot and image will run as root');
  return { user: `${uid}:${gid}`, uid, gid };
}

/** podman run flags for the effective security context and resource limits. */
export function securityFlags(pod: Pod, container: Container, identity: ContainerIdentity): string[] {
  const podContext = pod.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const flags = ['--user', identity.user];
  for (const group of [podContext.fsGroup, ...(podContext.supplementalGroups ?? [])])
    if (group !== undefined) flags.push('--group-add', String(group));
  if (own.privileged) flags.push('--privileged');
  // The kubelet mounts nothing of its own over a read-only root: /tmp is whatever the Pod mounts.
  if (own.readOnlyRootFilesystem) flags.push('--read-only', '--read-only-tmpfs=false');
  for (const capability of own.capabilities?.drop ?? []) flags.push('--cap-drop', capability.toLowerCase());
  for (const capability of own.capabilities?.add ?? []) flags.push('--cap-add', capability.toLowerCase());
  if (own.allowPrivilegeEscalation === false) flags.push('--security-opt', 'no-new-privileges');
  const seccomp = own.seccompProfile ?? podContext.seccompProfile;
  if (seccomp?.type === 'Unconfined') flags.push('--security-opt', 'seccomp=unconfined');
  else if (seccomp !== undefined && seccomp.type !== 'RuntimeDefault')
    throw new ContainerConfigError(`seccompProfile type ${seccomp.type} is not supported by the kubelet stand-in`);
  const limits = container.resources?.limits ?? {};
  if (limits.memory !== undefined) flags.push('--memory', `${memoryBytes(limits.memory)}b`);
  if (limits.cpu !== undefined) flags.push('--cpus', String(cpuCores(limits.cpu)));
  return flags;
}

const MEMORY_SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes memory quantity (512Mi, 1G, 134217728) in bytes. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([kMGT]i?|Ki)?$/.exec(quantity);
  const factor = MEMORY_SUFFIXES[match?.[2] ?? ''];
  if (!match || factor === undefined) throw new ContainerConfigError(`memory limit ${quantity} is not a quantity the stand-in reads`);
  return Math.round(Number(match[1]) * factor);
}

/** A Kubernetes CPU quantity (1, 500m, 0.5) in cores. */
export function cpuCores(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (!match) throw new ContainerConfigError(`cpu limit ${quantity} is not a quantity the stand-in reads`);
  return match[2] === 'm' ? Number(match[1]) / 1000 : Number(match[1]);
}
