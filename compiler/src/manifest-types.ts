// The manifests the compiler reads. The Switchyard kinds' shapes are generated from the CRDs in
// crds/ (generated/resource-shapes.ts, by scripts/generate-crds.mjs); this file adds what the
// CRDs do not define: Secrets, the API version, the defaults' values for code.

import type { ObjectMeta } from './object-meta-types.js';
import type { BudgetEnforcement, BudgetPeriod, CacheScope, RetryableFailure, SwitchyardManifest } from './generated/resource-shapes.js';

export const SWITCHYARD_API_VERSION = 'switchyard.dev/v1alpha1';
export const SWITCHYARD_GROUP = 'switchyard.dev';

/** A core/v1 Secret. `data` values are base64, as the API server serves them. */
export interface SecretManifest {
  apiVersion: string;
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  immutable?: boolean;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export type Manifest = SwitchyardManifest | SecretManifest;

/** The defaults the CRDs declare; a test keeps the two in step. */
export const CRD_DEFAULTS = {
  backendWeight: 1,
  backendPriority: 0,
  credentialWeight: 1,
  azureApiVersion: '2024-10-21',
  bedrockUseAmbientCredentials: false,
  mockLatency: '0s',
  mockFailureRate: '0',
  retryAttempts: 2,
  retryBackoffInitial: '250ms',
  retryBackoffMax: '4s',
  retryOn: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'] as RetryableFailure[],
  timeoutConnect: '5s',
  timeoutFirstByte: '30s',
  timeoutTotal: '300s',
  timeoutStreamIdle: '60s',
  outlierConsecutiveFailures: 5,
  outlierEjectionTime: '30s',
  defaultMaxTokens: 4096,
  cacheScope: 'VirtualKey' as CacheScope,
  keyDisabled: false,
  budgetPeriod: 'Monthly' as BudgetPeriod,
  budgetEnforcement: 'Block' as BudgetEnforcement,
} as const;

/** `ModelRoute default/gpt-4o`: how messages name an object. */
export function describeObject(kind: string, metadata: { namespace?: string; name?: string } | undefined): string {
  return `${kind} ${metadata?.namespace ?? 'default'}/${metadata?.name ?? '<unnamed>'}`;
}
