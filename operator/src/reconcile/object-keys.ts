// `<Kind>/<namespace>/<name>`: how the work queue, diagnostics and acknowledgements name an object.
import { BUILTIN_KINDS, type KindRegistry } from '@switchyard/compiler';

export function objectKeyOf(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function parseObjectKey(key: string, kinds: KindRegistry = BUILTIN_KINDS): { kind: string; namespace: string; name: string } {
  const [kind, namespace, name] = key.split('/');
  if (!kinds.has(kind) || kind === undefined || namespace === undefined || name === undefined) {
    throw new Error(`not an object key: ${key}`);
  }
  return { kind, namespace, name };
}
