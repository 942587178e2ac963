// Secrets (and the ConfigMaps MCPServers read OpenAPI documents from) as the compiler reads them:
// decoded entries by `<namespace>/<name>`. Only the compiler sees Secret values; every message it
// writes names the Secret and entry, never the content.
//
// The decoded entries of a Secret are reused from the previous compile while the Secret is the
// same object (an informer cache and the standalone parse cache keep unchanged objects), so a
// compile does not base64-decode 100,000 key Secrets again, and the entries' identity tells the
// incremental compile (compile-memo.ts) whether what an object read is still the same.

import type { ConfigMapManifest, SecretManifest } from '../manifest-types.js';

type Entries = ReadonlyMap<string, string>;

/** Decoded entries by `<namespace>/<name>`: all the compile steps ask of it is `get`. */
export interface SecretIndex {
  get(id: string): Entries | undefined;
}

/** ConfigMaps as the compiler reads them: entries (text, or binaryData decoded as UTF-8) by `<namespace>/<name>`. */
export type ConfigMapIndex = SecretIndex;

/** Decoded entries per Secret or ConfigMap object, kept from one compile for the next. */
export type DecodedCache = Map<object, Entries>;

export function secretId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function decodeSecret(secret: SecretManifest): Entries {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    if (typeof value === 'string') entries.set(key, Buffer.from(value, 'base64').toString('utf8'));
  }
  // stringData only reaches the compiler from hand-built input; the API server folds it into data.
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    if (typeof value === 'string') entries.set(key, value);
  }
  return entries;
}

function decodeConfigMap(configMap: ConfigMapManifest): Entries {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(configMap.binaryData ?? {})) {
    if (typeof value === 'string') entries.set(key, Buffer.from(value, 'base64').toString('utf8'));
  }
  for (const [key, value] of Object.entries(configMap.data ?? {})) {
    if (typeof value === 'string') entries.set(key, value);
  }
  return entries;
}

function buildIndex<T extends { metadata: { namespace?: string; name: string } }>(
  objects: readonly T[],
  decode: (object: T) => Entries,
  previous: DecodedCache | undefined,
  next: DecodedCache | undefined,
): Map<string, Entries> {
  const index = new Map<string, Entries>();
  for (const object of objects) {
    const entries = previous?.get(object) ?? decode(object);
    next?.set(object, entries);
    index.set(secretId(object.metadata.namespace ?? 'default', object.metadata.name), entries);
  }
  return index;
}

/** `previous`: decoded entries of the last compile, by object; `next` receives this compile's. */
export function buildSecretIndex(secrets: readonly SecretManifest[], previous?: DecodedCache, next?: DecodedCache): Map<string, Entries> {
  return buildIndex(secrets, decodeSecret, previous, next);
}

export function buildConfigMapIndex(
  configMaps: readonly ConfigMapManifest[],
  previous?: DecodedCache,
  next?: DecodedCache,
): Map<string, Entries> {
  return buildIndex(configMaps, decodeConfigMap, previous, next);
}
