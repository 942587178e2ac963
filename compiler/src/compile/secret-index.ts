// Secrets as the compiler reads them: decoded entries by `<namespace>/<name>`. Only the compiler
// sees the values; every message it writes names the Secret and entry, never the content.

import type { SecretManifest } from '../manifest-types.js';

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
