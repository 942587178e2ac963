// One VirtualKey -> CompiledVirtualKey: the key from its Secret becomes a SHA-256 digest and a
// hint; the plaintext goes no further than this function.

import { hash } from 'node:crypto';
import { CRD_DEFAULTS, type VirtualKeyManifest } from '../generated/resource-shapes.js';
import type { CompiledRateLimit, CompiledVirtualKey } from '../table-types.js';
import type { RefProblem } from './compile-backend.js';
import { secretId, type SecretIndex } from './secret-index.js';

const MIN_KEY_LENGTH = 20;
const KEY_SYNTAX = /^[\x21-\x7e]+$/;

export function keyDigest(key: string): string {
  // One-shot hashing: no Hash object per key, which adds up over 10,000 keys per compile.
  return hash('sha256', key, 'hex');
}

/** `sk-sy-...7f3a`: enough to recognise a key, never enough to use it. */
export function keyHint(key: string): string {
  const prefix = key.startsWith('sk-sy-') ? 'sk-sy-' : '';
  return `${prefix}...${key.slice(-4)}`;
}

export interface VirtualKeyCompilation {
  key?: CompiledVirtualKey;
  problem?: RefProblem;
}

export function compileVirtualKey(manifest: VirtualKeyManifest, secrets: SecretIndex): VirtualKeyCompilation {
  const { metadata, spec } = manifest;
  const namespace = metadata.namespace ?? 'default';
  const id = secretId(namespace, spec.secretName);
  const entries = secrets.get(id);
  if (!entries) return { problem: { reason: 'SecretNotFound', message: `Secret ${id} not found` } };
  const raw = entries.get('key');
  if (raw === undefined) return { problem: { reason: 'SecretKeyNotFound', message: `Secret ${id} has no entry "key"` } };
  const key = raw.trim();
  if (key.length < MIN_KEY_LENGTH || !KEY_SYNTAX.test(key)) {
    return {
      problem: {
        reason: 'InvalidSecret',
        message: `entry "key" of Secret ${id} must be at least ${MIN_KEY_LENGTH} printable ASCII characters without spaces`,
      },
    };
  }

  const compiled: CompiledVirtualKey = {
    id: `${namespace}/${metadata.name}`,
    namespace,
    name: metadata.name,
    generation: metadata.generation ?? 1,
    digest: keyDigest(key),
    keyHint: keyHint(key),
    disabled: spec.disabled ?? CRD_DEFAULTS.keyDisabled,
    labels: { ...(metadata.labels ?? {}) },
    budgetIds: [],
  };
  if (spec.allowedModels) compiled.allowedModels = [...spec.allowedModels];
  if (spec.rateLimit) {
    const rateLimit: CompiledRateLimit = {};
    if (spec.rateLimit.requestsPerMinute !== undefined) rateLimit.requestsPerMinute = spec.rateLimit.requestsPerMinute;
    if (spec.rateLimit.tokensPerMinute !== undefined) rateLimit.tokensPerMinute = spec.rateLimit.tokensPerMinute;
    if (spec.rateLimit.concurrentRequests !== undefined) rateLimit.concurrentRequests = spec.rateLimit.concurrentRequests;
    if (Object.keys(rateLimit).length > 0) compiled.rateLimit = rateLimit;
  }
  if (spec.mcp) {
    compiled.mcp = { allowedTools: [...spec.mcp.allowedTools] };
    if (spec.mcp.rateLimit?.callsPerMinute !== undefined) compiled.mcp.rateLimit = { callsPerMinute: spec.mcp.rateLimit.callsPerMinute };
  }
  if (spec.backendSelector) compiled.backendSelector = { matchLabels: { ...spec.backendSelector.matchLabels } };
  if (spec.expiresAt) {
    const expiresAtMs = Date.parse(spec.expiresAt);
    if (Number.isNaN(expiresAtMs)) throw new Error(`spec.expiresAt: not an RFC 3339 date-time`);
    compiled.expiresAtMs = expiresAtMs;
  }
  return { key: compiled };
}
