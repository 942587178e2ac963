// What the kubelet does to a container spec before it starts the container: $(VAR) expansion,
// downward-API field values, named ports.
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

/** A probe's port: a number, or the name of one of the container's ports. */
export function resolveContainerPort(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = container.ports?.find((candidate) => candidate.name === port);
  if (!found) throw new Error(`container ${container.name} has no port named ${port}`);
  return found.containerPort;
}
