// Secrets (and the ConfigMaps MCPServers read OpenAPI documents from) as the compiler reads them:
// decoded entries by `<namespace>/<name>`. Only the compiler sees Secret values; every message it
// writes names the Secret and entry, never the content.

import type { ConfigMapManifest, SecretManifest } from '../manifest-types.js';

export type SecretIndex = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function secretId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function buildSecretIndex(secrets: readonly SecretManifest[]): SecretIndex {
  const index = new Map<string, Map<string, string>>();
  for (const secret of secrets) {
    const entries = new Map<string, string>();
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      if (typeof value === 'string') entries.set(key, Buffer.from(value, 'base64').toString('utf8'));
    }
    // stringData only reaches the compiler from hand-built input; the API server folds it into data.
    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
      if (typeof value === 'string') entries.set(key, value);
    }
    index.set(secretId(secret.metadata.namespace ?? 'default', secret.metadata.name), entries);
  }
  return index;
}

/** ConfigMaps as the compiler reads them: entries (text, or binaryData decoded as UTF-8) by `<namespace>/<name>`. */
export type ConfigMapIndex = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function buildConfigMapIndex(configMaps: readonly ConfigMapManifest[]): ConfigMapIndex {
  const index = new Map<string, Map<string, string>>();
  for (const configMap of configMaps) {
    const entries = new Map<string, string>();
    for (const [key, value] of Object.entries(configMap.binaryData ?? {})) {
      if (typeof value === 'string') entries.set(key, Buffer.from(value, 'base64').toString('utf8'));
    }
    for (const [key, value] of Object.entries(configMap.data ?? {})) {
      if (typeof value === 'string') entries.set(key, value);
    }
    index.set(secretId(configMap.metadata.namespace ?? 'default', configMap.metadata.name), entries);
  }
  return index;
}
