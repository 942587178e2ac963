// The shapes of the manifests the compiler reads, as the CRDs in crds/ define them. Fields that
// the CRDs default are optional here: the operator hands in API-server objects (defaults applied),
// standalone mode hands in objects defaulted by the same schemas, and the compiler still falls
// back to the same defaults (CRD_DEFAULTS) for anything else.

import type { BudgetPeriod, CacheScope, ProviderName, RetryableFailure } from './table-types.js';

export const SWITCHYARD_API_VERSION = 'switchyard.dev/v1alpha1';
export const SWITCHYARD_GROUP = 'switchyard.dev';

export type SwitchyardKind = 'ModelRoute' | 'VirtualKey' | 'Budget';
export type ManifestKind = SwitchyardKind | 'Secret';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  creationTimestamp?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface SecretRefSpec {
  name: string;
  key?: string;
}

export interface CredentialSpec {
  secretRef: SecretRefSpec;
  weight?: number;
}

export interface PricingSpec {
  inputPerMillion: string;
  outputPerMillion: string;
  cachedInputPerMillion?: string;
  cacheWritePerMillion?: string;
}

export interface MockSpec {
  latency?: string;
  /** Integer 0 or 1, or a decimal string from "0" to "1" (the CRD field is int-or-string). */
  failureRate?: number | string;
  response?: string;
}

export interface BackendSpec {
  name: string;
  provider: ProviderName;
  model: string;
  baseURL?: string;
  credentials?: CredentialSpec[];
  priority?: number;
  weight?: number;
  pricing?: PricingSpec;
  headers?: Record<string, string>;
  azure?: { deployment: string; apiVersion?: string };
  bedrock?: { region: string; useAmbientCredentials?: boolean };
  vertex?: { project: string; location: string };
  mock?: MockSpec;
}

export interface ModelRouteSpec {
  model: string;
  aliases?: string[];
  backends: BackendSpec[];
  retry?: {
    attempts?: number;
    backoff?: { initial?: string; max?: string };
    on?: RetryableFailure[];
  };
  timeouts?: { connect?: string; firstByte?: string; total?: string; streamIdle?: string };
  outlierDetection?: { consecutiveFailures?: number; ejectionTime?: string };
  fallbackModels?: string[];
  defaultMaxTokens?: number;
  cache?: { ttl: string; scope?: CacheScope };
}

export interface VirtualKeySpec {
  secretName: string;
  allowedModels?: string[];
  rateLimit?: { requestsPerMinute?: number; tokensPerMinute?: number; concurrentRequests?: number };
  disabled?: boolean;
  expiresAt?: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface BudgetSpec {
  selector: LabelSelector;
  limit: string;
  period?: BudgetPeriod;
  enforcement?: 'Block' | 'Warn';
}

export interface ModelRouteManifest {
  apiVersion: string;
  kind: 'ModelRoute';
  metadata: ObjectMeta;
  spec: ModelRouteSpec;
}

export interface VirtualKeyManifest {
  apiVersion: string;
  kind: 'VirtualKey';
  metadata: ObjectMeta;
  spec: VirtualKeySpec;
}

export interface BudgetManifest {
  apiVersion: string;
  kind: 'Budget';
  metadata: ObjectMeta;
  spec: BudgetSpec;
}

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

export type SwitchyardManifest = ModelRouteManifest | VirtualKeyManifest | BudgetManifest;
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
  budgetEnforcement: 'Block' as 'Block' | 'Warn',
} as const;

/** `ModelRoute default/gpt-4o`: how messages name an object. */
export function describeObject(kind: string, metadata: { namespace?: string; name?: string } | undefined): string {
  return `${kind} ${metadata?.namespace ?? 'default'}/${metadata?.name ?? '<unnamed>'}`;
}
