// One VirtualKey -> CompiledVirtualKey: the key from its Secret becomes a SHA-256 digest and a
// hint; the plaintext goes no further than this function.

import { hash } from 'node:crypto';
import { CRD_DEFAULTS, type VirtualKeyManifest } from '../generated/resource-shapes.js';
import type { CompiledRateLimit, CompiledSubject, CompiledVirtualKey } from '../table-types.js';
import { compileTimeoutOverrides } from './compile-timeouts.js';
import type { RefProblem } from './compile-backend.js';
import { secretId, type SecretIndex } from './secret-index.js';

const MIN_KEY_LENGTH = 20;
const KEY_SYNTAX = /^[\x21-\x7e]+$/;
/** The claim OIDC subjects read groups from unless they name another (Keycloak, Dex and Okta use it). */
const DEFAULT_GROUPS_CLAIM = 'groups';

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
  const compiled: CompiledVirtualKey = {
    id: `${namespace}/${metadata.name}`,
    namespace,
    name: metadata.name,
    generation: metadata.generation ?? 1,
    disabled: spec.disabled ?? CRD_DEFAULTS.keyDisabled,
    labels: { ...(metadata.labels ?? {}) },
    budgetIds: [],
  };
  if (spec.secretName !== undefined) {
    const secret = readKeySecret(secretId(namespace, spec.secretName), secrets);
    if ('problem' in secret) return secret;
    compiled.digest = keyDigest(secret.key);
    compiled.keyHint = keyHint(secret.key);
  }
  if (spec.subjects !== undefined && spec.subjects.length > 0) compiled.subjects = spec.subjects.map(compileSubject);
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
  if (spec.timeouts) {
    const timeouts = compileTimeoutOverrides(spec.timeouts);
    // Only a key that overrides something carries timeouts, so other tables hash as before.
    if (Object.keys(timeouts).length > 0) compiled.timeouts = timeouts;
  }
  if (spec.expiresAt) {
    const expiresAtMs = Date.parse(spec.expiresAt);
    if (Number.isNaN(expiresAtMs)) throw new Error(`spec.expiresAt: not an RFC 3339 date-time`);
    compiled.expiresAtMs = expiresAtMs;
  }
  return { key: compiled };
}

function readKeySecret(id: string, secrets: SecretIndex): { key: string } | { problem: RefProblem } {
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
  return { key };
}

type SubjectManifest = NonNullable<VirtualKeyManifest['spec']['subjects']>[number];

/** The CRD's rules guarantee the fields each kind needs; a manifest that skipped them is refused here. */
function compileSubject(subject: SubjectManifest, index: number): CompiledSubject {
  if (subject.kind === 'ServiceAccount') {
    if (subject.namespace === undefined || subject.name === undefined) throw new Error(`spec.subjects[${index}]: needs namespace and name`);
    return { kind: 'ServiceAccount', namespace: subject.namespace, name: subject.name };
  }
  if (subject.issuer === undefined || subject.audience === undefined) throw new Error(`spec.subjects[${index}]: needs issuer and audience`);
  const compiled: CompiledSubject = {
    kind: 'OIDC',
    // The token's iss must equal the configured issuer exactly (OpenID Connect Discovery 1.0, section 4.3);
    // a trailing slash is the one difference people make by accident, so it is dropped on both sides.
    issuer: subject.issuer.replace(/\/+$/, ''),
    audience: subject.audience,
    claims: { ...(subject.claims ?? {}) },
    groupsClaim: subject.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
  };
  if (subject.groups !== undefined) compiled.groups = [...subject.groups];
  return compiled;
}
