// What the kubelet does to a container spec before exec: $(VAR) expansion, downward-API field
// values, named ports, and (the stand-in's own step) mount paths rewritten to per-pod host dirs.
import type { Container, Pod } from './pod-types.js';

/**
 * Kubernetes' $(VAR) expansion in args and env values: a defined variable is substituted,
 * `$$(VAR)` escapes to a literal `$(VAR)`, an undefined reference is left as written.
 */
export function expandVarRefs(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : match;
  });
}

/** The downward API's fieldRef values the stand-in supports; others are a clear error. */
export function fieldRefValue(pod: Pod, fieldPath: string, podIP: string): string {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
      return podIP;
    default: {
      const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
      if (label) return pod.metadata.labels?.[label[1]!] ?? '';
      throw new Error(`fieldRef ${fieldPath} is not supported by the kubelet stand-in`);
    }
  }
}

export interface MountRewrite {
  mountPath: string;
  hostPath: string;
}

/**
 * Replaces a container mount path inside an argument (`--token-file=/var/run/x/token`) with the
 * host directory holding that volume. Longest mount path first, and only at a path boundary, so
 * `/tmp` never rewrites `/tmpfoo`.
 */
export function rewriteMountPaths(arg: string, mounts: readonly MountRewrite[]): string {
  const ordered = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const mount of ordered) {
    const prefix = mount.mountPath.replace(/\/+$/, '');
    let from = 0;
    for (;;) {
      const at = arg.indexOf(prefix, from);
      if (at < 0) break;
      const before = at === 0 ? '' : arg[at - 1]!;
      const after = arg[at + prefix.length] ?? '';
      const boundaryBefore = before === '' || before === '=' || before === ':' || before === ',';
      const boundaryAfter = after === '' || after === '/';
      if (boundaryBefore && boundaryAfter) return arg.slice(0, at) + mount.hostPath + arg.slice(at + prefix.length);
      from = at + 1;
    }
  }
  return arg;
}

/** A probe's port: a number, or the name of one of the container's ports. */
export function resolveContainerPort(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = container.ports?.find((candidate) => candidate.name === port);
  if (!found) throw new Error(`container ${container.name} has no port named ${port}`);
  return found.containerPort;
}
