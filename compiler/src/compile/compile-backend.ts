// One ModelRoute backend -> CompiledBackend: credentials resolved from Secrets, base URL, prices
// and capabilities settled (catalog merged with the spec), durations in milliseconds. Missing
// Secrets are reported, not thrown: the route keeps whatever backends remain.

import { CRD_DEFAULTS, type BackendSpec, type CredentialSpec, type PricingSpec } from '../generated/resource-shapes.js';
import { BUILTIN_CAPABILITY_CATALOG } from '../pricing/model-capabilities.js';
import type { CatalogPrice, PriceCatalog } from '../pricing/price-catalog.js';
import { resolveBaseURL } from '../provider-defaults.js';
import type { CompiledBackend, CompiledCapabilities, CompiledCredential, CompiledPricing } from '../table-types.js';
import { parseDurationMs } from '../values/duration.js';
import { parseMoneyNanos } from '../values/money.js';
import { secretId, type SecretIndex } from './secret-index.js';

export interface RefProblem {
  reason:
    | 'SecretNotFound'
    | 'SecretKeyNotFound'
    | 'InvalidSecret'
    | 'ServiceAccountNotFound'
    | 'ConfigMapNotFound'
    | 'ConfigMapKeyNotFound';
  message: string;
}

interface BackendCompilation {
  /** Absent when the backend has to be dropped (every credential unresolved). */
  backend?: CompiledBackend;
  problems: RefProblem[];
  priceUnknown: boolean;
}

/** Claude model ids on every provider that serves them: `claude-...`, `anthropic.claude-...`, `us.anthropic.claude-...`. */
const CLAUDE_MODEL = /(^|[./])claude-/i;

function compilePricing(price: PricingSpec | CatalogPrice, source: CompiledPricing['source']): CompiledPricing {
  const nanos = (text: string): string => parseMoneyNanos(text).toString();
  const compiled: CompiledPricing = {
    inputPerMillionNanos: nanos(price.inputPerMillion),
    outputPerMillionNanos: nanos(price.outputPerMillion),
    source,
  };
  if (price.cachedInputPerMillion !== undefined) compiled.cachedInputPerMillionNanos = nanos(price.cachedInputPerMillion);
  if (price.cacheWritePerMillion !== undefined) compiled.cacheWritePerMillionNanos = nanos(price.cacheWritePerMillion);
  return compiled;
}

/**
 * The built-in catalog's capabilities for the backend's model, with each field the backend sets
 * replacing the catalog's (so a backend can both narrow and widen what the catalog says). Absent
 * when neither knows anything: absent fields never filter a request.
 */
function compileCapabilities(spec: BackendSpec): CompiledCapabilities | undefined {
  const fromSpec = Object.fromEntries(Object.entries(spec.capabilities ?? {}).filter(([, value]) => value !== undefined));
  const merged: CompiledCapabilities = { ...BUILTIN_CAPABILITY_CATALOG.lookup(spec.provider, spec.model), ...fromSpec };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function resolveCredential(
  spec: BackendSpec,
  credential: CredentialSpec,
  namespace: string,
  secrets: SecretIndex,
): { credential?: CompiledCredential; problem?: RefProblem } {
  const weight = credential.weight ?? CRD_DEFAULTS.credentialWeight;
  // Only the path: the value lives in the gateway's filesystem and never enters the table.
  if (credential.file !== undefined)
    return { credential: { ref: `file:${credential.file.path}`, weight, file: { path: credential.file.path } } };
  if (credential.secretRef === undefined) throw new Error(`backend ${spec.name}: a credential has neither secretRef nor file`);
  const { name, key } = credential.secretRef;
  const id = secretId(namespace, name);
  const where = `backend ${spec.name}`;
  const entries = secrets.get(id);
  if (!entries) {
    // The entries the backend would have read are named too, so the message says what to create.
    const wanted = spec.provider === 'bedrock' ? 'keys accessKeyId and secretAccessKey' : `key "${key ?? ''}"`;
    return { problem: { reason: 'SecretNotFound', message: `${where}: Secret ${id} not found (needed for ${wanted})` } };
  }
  if (spec.provider === 'bedrock') {
    const accessKeyId = entries.get('accessKeyId')?.trim();
    const secretAccessKey = entries.get('secretAccessKey')?.trim();
    const missing = [!accessKeyId && 'accessKeyId', !secretAccessKey && 'secretAccessKey'].filter(Boolean);
    if (missing.length > 0) {
      return { problem: { reason: 'SecretKeyNotFound', message: `${where}: Secret ${id} has no ${missing.join(' or ')}` } };
    }
    const sessionToken = entries.get('sessionToken')?.trim();
    return {
      credential: {
        ref: id,
        weight,
        aws: { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, ...(sessionToken ? { sessionToken } : {}) },
      },
    };
  }
  const entryName = key ?? '';
  const value = entries.get(entryName);
  if (value === undefined) {
    return { problem: { reason: 'SecretKeyNotFound', message: `${where}: Secret ${id} has no entry "${entryName}"` } };
  }
  const ref = `${id}/${entryName}`;
  if (spec.provider === 'vertex-ai') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed === null || typeof parsed !== 'object') throw new TypeError('not an object');
    } catch {
      return {
        problem: {
          reason: 'InvalidSecret',
          message: `${where}: entry "${entryName}" of Secret ${id} is not a service-account JSON object`,
        },
      };
    }
    return { credential: { ref, weight, serviceAccountJson: value } };
  }
  const apiKey = value.trim();
  if (!apiKey) {
    return { problem: { reason: 'InvalidSecret', message: `${where}: entry "${entryName}" of Secret ${id} is empty` } };
  }
  return { credential: { ref, weight, apiKey } };
}

export function compileBackend(spec: BackendSpec, namespace: string, secrets: SecretIndex, catalog: PriceCatalog): BackendCompilation {
  const problems: RefProblem[] = [];
  const credentials: CompiledCredential[] = [];
  for (const credential of spec.credentials ?? []) {
    const resolved = resolveCredential(spec, credential, namespace, secrets);
    if (resolved.problem) problems.push(resolved.problem);
    if (resolved.credential) credentials.push(resolved.credential);
  }
  const catalogPrice = spec.pricing ? undefined : catalog.lookup(spec.provider, spec.model);
  const priceUnknown = !spec.pricing && !catalogPrice;
  if ((spec.credentials?.length ?? 0) > 0 && credentials.length === 0) {
    return { problems, priceUnknown };
  }

  const baseURL = resolveBaseURL(spec.provider, spec.baseURL, {
    ...(spec.bedrock ? { region: spec.bedrock.region } : {}),
    ...(spec.vertex ? { location: spec.vertex.location } : {}),
  });
  if (baseURL === undefined) {
    throw new Error(`backend ${spec.name}: provider ${spec.provider} needs baseURL`);
  }

  const backend: CompiledBackend = {
    name: spec.name,
    provider: spec.provider,
    model: spec.model,
    baseURL,
    credentials,
    priority: spec.priority ?? CRD_DEFAULTS.backendPriority,
    weight: spec.weight ?? CRD_DEFAULTS.backendWeight,
  };
  if (spec.pricing) backend.pricing = compilePricing(spec.pricing, 'override');
  else if (catalogPrice) backend.pricing = compilePricing(catalogPrice, 'catalog');
  if (backend.pricing !== undefined && CLAUDE_MODEL.test(spec.model)) {
    // Anthropic prices one-hour cache writes at twice the base input price, wherever Claude is served.
    backend.pricing.cacheWrite1hPerMillionNanos = (2n * BigInt(backend.pricing.inputPerMillionNanos)).toString();
  }
  if (spec.azure) backend.azure = { deployment: spec.azure.deployment, apiVersion: spec.azure.apiVersion ?? CRD_DEFAULTS.azureApiVersion };
  if (spec.bedrock) {
    backend.bedrock = {
      region: spec.bedrock.region,
      useAmbientCredentials: spec.bedrock.useAmbientCredentials ?? CRD_DEFAULTS.bedrockUseAmbientCredentials,
    };
  }
  if (spec.vertex) backend.vertex = { project: spec.vertex.project, location: spec.vertex.location };
  if (spec.provider === 'mock') {
    const mock = spec.mock ?? {};
    backend.mock = {
      latencyMs: parseDurationMs(mock.latency ?? CRD_DEFAULTS.mockLatency),
      failureRate: Number(mock.failureRate ?? CRD_DEFAULTS.mockFailureRate),
      ...(mock.response === undefined ? {} : { response: mock.response }),
    };
  }
  if (spec.headers && Object.keys(spec.headers).length > 0) backend.headers = { ...spec.headers };
  if (spec.labels && Object.keys(spec.labels).length > 0) backend.labels = { ...spec.labels };
  const capabilities = compileCapabilities(spec);
  if (capabilities) backend.capabilities = capabilities;
  if (spec.maxConcurrency !== undefined) backend.maxConcurrency = spec.maxConcurrency;
  return { backend, problems, priceUnknown };
}
