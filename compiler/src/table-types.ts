// The routing table: what the compiler produces from manifests and what every gateway serves.
// It is plain JSON (the operator streams it to gateways), so matchers are kept as sources and
// materialized once per table load by the gateway, never per request.

import type {
  BudgetEnforcement,
  BudgetReservation,
  BudgetPeriod,
  CacheScope,
  GuardrailAction,
  GuardrailDirection,
  PiiEntity,
  ProviderName,
  RetryableFailure,
  RoutingStrategy,
  RuleFrontDoor,
} from './generated/resource-shapes.js';

/** Prices in integer nano-dollars per million tokens (USD * 1e9). Never floats. */
export interface CompiledPricing {
  inputPerMillionNanos: string; // bigint as decimal string, JSON-safe
  outputPerMillionNanos: string;
  cachedInputPerMillionNanos?: string;
  cacheWritePerMillionNanos?: string;
  /**
   * Cache writes kept for an hour (Anthropic's `ttl: 1h`, on Anthropic, Bedrock and Vertex AI):
   * twice the input price for Claude models, Anthropic's published multiplier (5-minute writes
   * are `cacheWritePerMillionNanos`, 1.25 times). Absent: such writes cost the cache-write price.
   */
  cacheWrite1hPerMillionNanos?: string;
  /** Where the price came from: `override` (backend.pricing) or `catalog`. */
  source: 'override' | 'catalog';
}

interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CompiledCredential {
  /** `<namespace>/<secret name>[/<key>]` or `file:<path>`: names the source for logs, never the value. */
  ref: string;
  weight: number;
  /**
   * A credential the gateway reads from its own filesystem (a vault CSI mount): only the path is in
   * the table, the value never is; the gateway fills in `apiKey` (`serviceAccountJson` for
   * vertex-ai) per attempt from the file's current content.
   */
  file?: { path: string };
  apiKey?: string;
  aws?: AwsCredentials;
  serviceAccountJson?: string;
}

export interface MockBehaviour {
  /** Added latency before the first byte, in milliseconds. */
  latencyMs: number;
  /** Probability in [0, 1] that a call fails with a 500 (deterministic sequence per backend). */
  failureRate: number;
  /** Fixed answer text; absent means an echo of the last user message. */
  response?: string;
}

export interface CompiledBackend {
  name: string;
  provider: ProviderName;
  /** Provider-side model id. */
  model: string;
  /** Fully resolved base URL (provider default applied), no trailing slash. */
  baseURL: string;
  credentials: CompiledCredential[];
  priority: number;
  weight: number;
  pricing?: CompiledPricing;
  azure?: { deployment: string; apiVersion: string };
  bedrock?: { region: string; useAmbientCredentials: boolean };
  vertex?: { project: string; location: string };
  mock?: MockBehaviour;
  /** Extra static headers sent upstream (already templated at compile time). */
  headers?: Record<string, string>;
  labels?: Record<string, string>;
  /** What the model can serve; absent fields are unknown and never filter. Absent: nothing known. */
  capabilities?: CompiledCapabilities;
  /** Most requests one gateway has in flight to this backend; absent: no limit. */
  maxConcurrency?: number;
  /** `affinityTTL`: how long a conversation stays with this backend, replacing the route's affinity ttl. */
  affinityTTLMs?: number;
  /** This backend's attempt timeouts (the route's with the backend's overrides); absent: the route's. */
  timeouts?: CompiledTimeouts;
}

export interface CompiledCapabilities {
  contextWindow?: number;
  maxOutputTokens?: number;
  tools?: boolean;
  vision?: boolean;
  jsonSchema?: boolean;
  reasoning?: boolean;
}

/** One routing rule's conditions; an absent condition always holds. */
export interface CompiledRuleMatch {
  /** Every tag must be in the request's x-switchyard-tags header. */
  tags?: string[];
  /** Every entry must be in the body's `metadata` with this value. */
  metadata?: Record<string, string>;
  minPromptTokens?: number;
  maxPromptTokens?: number;
  hasTools?: boolean;
  hasImages?: boolean;
  jsonSchema?: boolean;
  frontDoors?: RuleFrontDoor[];
  keyLabels?: Record<string, string>;
}

export interface CompiledRule {
  /** The rule's name, or `rule-<index>` (from 0) when it has none. */
  name: string;
  match: CompiledRuleMatch;
  /** Names of backends of the same route, validated at compile time; empty for a rule with `route`. */
  backends: string[];
  /** The public model name of another route that serves matching requests instead (`spec.rules[].route`). */
  route?: string;
}

export interface CompiledRetryPolicy {
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  on: RetryableFailure[];
}

export interface CompiledTimeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
  streamIdleMs: number;
}

export interface CompiledOutlierDetection {
  consecutiveFailures: number;
  ejectionTimeMs: number;
}

/** A route's exact response cache; absent on routes that do not cache. */
interface CompiledCache {
  ttlMs: number;
  scope: CacheScope;
  /** Semantic lookup after an exact miss (docs/cache.md); absent when off or its embedding route did not resolve. */
  semantic?: CompiledSemanticCache;
}

export interface CompiledSemanticCache {
  /** Id (`namespace/name`) of the ModelRoute that serves the embeddings. */
  embeddingRouteId: string;
  threshold: number;
  maxEntriesPerPartition: number;
  maxTemperature: number;
  maxTurnChars: number;
}

export interface CompiledRoute {
  /** `<namespace>/<name>` */
  id: string;
  namespace: string;
  name: string;
  generation: number;
  model: string;
  aliases: string[];
  /** Sorted by priority ascending; every entry has at least one credential or is mock/ambient. */
  backends: CompiledBackend[];
  retry: CompiledRetryPolicy;
  timeouts: CompiledTimeouts;
  outlierDetection: CompiledOutlierDetection;
  fallbackModels: string[];
  defaultMaxTokens: number;
  cache?: CompiledCache;
  mcp?: CompiledRouteMCP;
  /** Absent means `weighted`. */
  strategy?: RoutingStrategy;
  /** Ordered; first match wins. Absent or empty: every backend serves every request. */
  rules?: CompiledRule[];
  /** `spec.audit.includeContent`: audit records of this route carry the (redacted) prompt and answer text. */
  auditContent?: true;
  /** Present only when prompt-cache affinity is enabled. */
  affinity?: { ttlMs: number };
}

export interface CompiledRateLimit {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  concurrentRequests?: number;
}

export interface CompiledVirtualKey {
  /** `<namespace>/<name>` */
  id: string;
  namespace: string;
  name: string;
  generation: number;
  /** Lower-case hex SHA-256 of the key; the plaintext is never in the table. Absent for a key with subjects and no Secret. */
  digest?: string;
  /** Absent with `digest`. */
  keyHint?: string;
  /** Callers that use the key with their own token (spec.subjects); absent when none. */
  subjects?: CompiledSubject[];
  /** Glob sources (`*` only); absent means every visible model. */
  allowedModels?: string[];
  rateLimit?: CompiledRateLimit;
  disabled: boolean;
  /** Unix milliseconds; absent means never. */
  expiresAtMs?: number;
  labels: Record<string, string>;
  /** Ids of the Budgets that select this key. */
  budgetIds: string[];
  /** Ids of the GuardrailPolicies that select this key, in the order they run (namespace/name); absent when none. */
  guardrailPolicyIds?: string[];
  mcp?: CompiledKeyMCP;
  /** Data residency: labels every backend serving this key must carry (`spec.backendSelector.matchLabels`); absent: any backend. */
  backendSelector?: { matchLabels: Record<string, string> };
  /** `spec.timeouts`: values replacing the serving backend's (or route's) of the same name; absent when none. */
  timeouts?: CompiledKeyTimeouts;
}

/** A VirtualKey's timeout overrides: only the fields it sets. */
export type CompiledKeyTimeouts = Partial<CompiledTimeouts>;

/**
 * A caller bound to a VirtualKey by its own token. A ServiceAccount's `uid` is filled by the
 * operator from the live object (absent in standalone mode, where nothing can resolve it): a token
 * whose ServiceAccount uid differs was issued to a deleted ServiceAccount (or an older one of the
 * same name) and is refused.
 */
export type CompiledSubject =
  | {
      kind: 'ServiceAccount';
      namespace: string;
      name: string;
      uid?: string;
      /** The operator found no such ServiceAccount (deleted, or not yet created): its tokens are refused. */
      missing?: true;
    }
  | {
      kind: 'OIDC';
      issuer: string;
      audience: string;
      /** Exact string values the token's claims must have. */
      claims: Record<string, string>;
      /** Where the caller's groups are read (default `groups`). */
      groupsClaim: string;
      /** At least one of these groups is required; absent: not checked. */
      groups?: string[];
    };

/** A VirtualKey's MCP permissions; absent means the key sees no tools at all (deny by default). */
export interface CompiledKeyMCP {
  /** Glob sources (`*` only) over prefixed tool names, e.g. `github__*`. */
  allowedTools: string[];
  rateLimit?: { callsPerMinute?: number };
}

/** How the gateway authenticates to an upstream MCP server. Secret values are resolved, like backend credentials. */
export type CompiledMCPAuth =
  | { type: 'none' }
  | { type: 'bearer'; ref: string; token: string }
  | { type: 'oauth2ClientCredentials'; tokenURL: string; clientId: string; clientSecretRef: string; clientSecret: string; scopes: string[] }
  | {
      type: 'oauth2PerUser';
      authorizationURL: string;
      tokenURL: string;
      clientId: string;
      clientSecretRef: string;
      clientSecret: string;
      scopes: string[];
    };

/** One upstream MCP server (kind MCPServer). */
export interface CompiledMCPServer {
  /** `<namespace>/<name>` */
  id: string;
  namespace: string;
  name: string;
  generation: number;
  /** Tools appear to callers as `<prefix>__<tool>`; default the resource name. */
  prefix: string;
  transport: 'streamable-http' | 'sse' | 'stdio' | 'openapi';
  /** Absent for stdio servers (standalone mode), which have `command`, and for hosted tools, which have `openapi`. */
  url?: string;
  /** Hosted tools (`spec.openapi`): the document's selected operations, compiled. */
  openapi?: CompiledOpenAPI;
  command?: string[];
  /** A stdio server's environment (`spec.env`), Secret values resolved; `envRefs` names their sources for logs. */
  env?: Record<string, string>;
  envRefs?: Record<string, string>;
  /** Static headers sent upstream, Secret values resolved; `headerRefs` names their sources for logs. */
  headers: Record<string, string>;
  headerRefs: Record<string, string>;
  auth: CompiledMCPAuth;
  /** Glob sources over the upstream's own (unprefixed) tool names. */
  toolFilter: { include: string[]; exclude: string[] };
  timeouts: { connectMs: number; callMs: number };
}

/** An MCPServer's `spec.openapi`: the operations the gateway runs as tools, the document already compiled. */
export interface CompiledOpenAPI {
  /** Every call goes to this base URL plus the operation's path (the document's `servers` are ignored). */
  baseURL: string;
  /** Where the document came from, for messages: `ConfigMap <namespace>/<name> key <key>` or `inline`. */
  source: string;
  /** The document's `openapi` field (3.0.x or 3.1.x). */
  version: string;
  /** Sorted by name. */
  operations: CompiledOpenAPIOperation[];
}

/** One operation offered as a tool; `inputSchema` is what callers see, the rest says how to build the HTTP request. */
export interface CompiledOpenAPIOperation {
  /** The tool's own (unprefixed) name: the operationId, or `<method>_<path>` for an operation without one. */
  name: string;
  description?: string;
  /** Upper case: GET, POST, ... */
  method: string;
  /** The path template as the document writes it (`/pets/{petId}`). */
  path: string;
  parameters: CompiledOpenAPIParameter[];
  /** The JSON request body, taken from the input property `body`. */
  body?: { required: boolean; mediaType: string };
  /** A JSON Schema object: one property per parameter plus `body`, local `$ref`s resolved. */
  inputSchema: Record<string, unknown>;
}

export interface CompiledOpenAPIParameter {
  /** The input schema property holding its value (the parameter's name, or `<in>_<name>` when two would clash). */
  property: string;
  /** Its name in the HTTP request. */
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
}

/** A ModelRoute's hosted tools for chat completions (`spec.mcp`). */
export interface CompiledRouteMCP {
  /** MCPServer ids (`<namespace>/<name>`). */
  servers: string[];
  maxRounds: number;
}

export interface CompiledBudget {
  id: string;
  namespace: string;
  name: string;
  generation: number;
  limitNanos: string;
  period: BudgetPeriod;
  enforcement: BudgetEnforcement;
  /**
   * How admission bounds the prompt: the byte bound (Strict) or the family tokenizer's count
   * (Tokenized). Absent means Strict, as in tables compiled before the field existed.
   */
  reservation?: BudgetReservation;
}

/** Fields every guardrail check has. */
interface GuardrailCheckBase {
  name: string;
  on: GuardrailDirection;
  /** Redact checks: the answer gets the original values back where it echoes this check's placeholders. */
  restore?: true;
}

/** One check of a GuardrailPolicy, settings resolved (durations in ms, defaults applied). */
export type CompiledGuardrailCheck =
  | (GuardrailCheckBase & { type: 'pii'; action: GuardrailAction; entities: PiiEntity[] })
  | (GuardrailCheckBase & { type: 'secrets'; action: GuardrailAction })
  | (GuardrailCheckBase & { type: 'regex'; action: GuardrailAction; pattern: string })
  | (GuardrailCheckBase & { type: 'denylist'; action: GuardrailAction; phrases: string[] })
  | (GuardrailCheckBase & {
      type: 'webhook';
      /** What a `block` verdict does: block, or log only. */
      action: GuardrailAction;
      url: string;
      timeoutMs: number;
      failurePolicy: 'Open' | 'Closed';
    })
  | (GuardrailCheckBase & {
      type: 'moderation';
      action: GuardrailAction;
      /** The public model name the check asks through the gateway's own moderations pipeline. */
      model: string;
      timeoutMs: number;
      failurePolicy: 'Open' | 'Closed';
    });

/** A GuardrailPolicy (kind GuardrailPolicy), selected keys resolved onto the keys (`guardrailPolicyIds`). */
export interface CompiledGuardrailPolicy {
  /** `<namespace>/<name>` */
  id: string;
  namespace: string;
  name: string;
  generation: number;
  checks: CompiledGuardrailCheck[];
  /** Ids of the routes its routeSelector matched; absent: every route. */
  routeIds?: string[];
  /** Characters of streamed text held back (spec.streamHoldback or the default). */
  streamHoldback: number;
}

export interface RoutingTable {
  /** Monotonic per producer; the hash identifies content. */
  version: number;
  /** SHA-256 over the canonical JSON of everything but version/hash/compiledAt. */
  hash: string;
  compiledAt: string;
  routes: Record<string, CompiledRoute>;
  /**
   * Key namespace -> public model name or alias -> route id: the routes of that namespace plus
   * the shared namespaces, conflicts already resolved (older route wins). Computed per
   * namespace, not per key, so 10k keys cost nothing extra.
   */
  modelsByNamespace: Record<string, Record<string, string>>;
  keys: CompiledVirtualKey[];
  budgets: CompiledBudget[];
  /** MCPServer id -> server. */
  mcpServers?: Record<string, CompiledMCPServer>;
  /** Key namespace -> ids of the MCPServers its keys may reach (its own namespace plus the shared ones). */
  mcpServersByNamespace?: Record<string, string[]>;
  /** GuardrailPolicy id -> policy; absent when there are none. */
  guardrailPolicies?: Record<string, CompiledGuardrailPolicy>;
}

/** The unified usage shape every front door and provider maps to and from. */
export interface Usage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /**
   * Of `cacheWriteTokens`, those written for one hour, when the provider says (Anthropic
   * `cache_creation.ephemeral_1h_input_tokens`, Bedrock `cacheDetails`); priced apart.
   */
  cacheWrite1hTokens?: number;
  /** All output tokens, reasoning included. */
  outputTokens: number;
  reasoningTokens: number;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
}
