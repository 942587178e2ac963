// Generated from crds/*.yaml by `node scripts/generate-crds.mjs`. Do not edit by hand: change the CRD and rerun it.
// Fields the CRDs default are optional: the operator hands in API-server objects (defaults
// applied), standalone mode objects defaulted by the same schemas, and the compiler falls back to
// the same defaults (CRD_DEFAULTS) for anything else.

import type { ObjectMeta } from '../object-meta-types.js';

/** What clients call the model and where its traffic goes. */
export interface ModelRouteSpec {
  /**
   * The public model name clients put in "model". Letters, digits, '.', '_', '/' and '-' (no ':', which
   * Gemini paths use), starting with a letter or digit, at most 128 characters.
   */
  model: string;
  /** Other public names that reach this route. Same syntax as model; must not repeat model. */
  aliases?: string[];
  /**
   * Provider backends serving this model. The gateway serves from the lowest priority tier that has a usable
   * backend, spreading traffic inside a tier by weight; backends are compiled in priority order.
   */
  backends: BackendSpec[];
  /** How often and on which failures the gateway calls upstream again within this route. */
  retry?: {
    /**
     * Upstream calls within the route, the first included (1 disables retries). Each fallback model has its
     * own attempts.
     */
    attempts?: number;
    /**
     * Exponential backoff between attempts, with full jitter; a provider's retry-after is honoured up to
     * max.
     */
    backoff?: {
      /** Backoff before the second attempt, a duration such as 250ms. */
      initial?: string;
      /** Upper bound of any backoff, a duration such as 4s. */
      max?: string;
    };
    /**
     * Failure classes that are retried. An upstream 400/422 is never retried; nothing is retried once the
     * first byte reached the client.
     */
    on?: RetryableFailure[];
  };
  /** Upstream timeouts per attempt. Every value is a duration greater than 0. */
  timeouts?: {
    /** TCP and TLS connection establishment. */
    connect?: string;
    /** From sending the request to the first byte of the upstream response. */
    firstByte?: string;
    /** Whole upstream exchange, streaming included. */
    total?: string;
    /** Longest silence between two chunks of a streamed response. */
    streamIdle?: string;
  };
  /** Passive health checking; a backend that keeps failing is ejected for a while. */
  outlierDetection?: {
    /** Consecutive failed calls (5xx, timeout, connect error) that eject a backend. */
    consecutiveFailures?: number;
    /** How long an ejected backend receives no traffic, a duration such as 30s. */
    ejectionTime?: string;
  };
  /**
   * Other public model names tried in order after every backend of this route failed. They must pass the
   * caller's allow-list too, and each has its own retry attempts.
   */
  fallbackModels?: string[];
  /**
   * How a backend is chosen inside a priority tier. weighted: at random by weight. least-outstanding: the
   * backend with the fewest requests in flight in this gateway, divided by its weight. latency: the lowest
   * peak-EWMA time to first byte, times its requests in flight, divided by its weight; a stale measurement
   * decays (half-life 10s) so a slow period does not exile a backend. cheapest: the backend with the lowest
   * estimated cost for this request (estimated prompt tokens and max output at its price); unpriced backends
   * come last. Retries, tiers, ejection and capabilities apply to every strategy.
   */
  strategy?: RoutingStrategy;
  /**
   * Ordered routing rules: the first rule whose match fits the request limits this route's backends to the
   * ones it names (tiers, weights and the strategy then apply among them), or hands the request to another
   * route. No matching rule: every backend of the route, as without rules.
   */
  rules?: RouteRuleSpec[];
  /**
   * Prompt-cache affinity: requests of one conversation go to the backend and credential that served it
   * last, while that backend is healthy and serves the request, so the provider's prompt cache keeps
   * hitting. The conversation is the body's prompt_cache_key, else the x-switchyard-session header, else the
   * body's user, else a digest of the system prompt, tools and first user message. Each gateway remembers at
   * most 10000 conversations (least recently used forgotten first).
   */
  affinity?: AffinitySpec;
  /**
   * max_tokens sent when a provider requires it and the caller gave none; also the output estimate of budget
   * reservations.
   */
  defaultMaxTokens?: number;
  /**
   * What the gateway's request audit log (--audit-log, --audit-otlp) records for this route beyond its usual
   * fields (who, key, backend, tokens, cost, status, cache and guardrail outcome), which never include
   * prompt or answer text.
   */
  audit?: {
    /**
     * Adds the prompt text (as sent upstream, after guardrail redaction) and the answer text of chat
     * requests to their audit records, each cut at 16384 characters and with anything shaped like a
     * credential redacted. Absent or false: no content.
     */
    includeContent?: boolean;
  };
  /**
   * Hosted tools on this route, whatever the front door: the gateway offers the tools of these MCPServers
   * (those the calling key's allowedTools permit) to the model, runs the calls it asks for, and feeds the
   * results back, for at most maxRounds model rounds.
   */
  mcp?: RouteMCPSpec;
  /**
   * Exact response cache, opt-in. A request whose content (model, messages, tools, tool choice, response
   * format, sampling parameters, max tokens, stop sequences, seed) equals an earlier one on this route is
   * answered from the stored answer, without an upstream call and at zero cost; transport details (stream,
   * the end-user id) do not count, and the front door does not matter. Only answers that finished normally
   * (stop, length, tool calls) are stored. Answers never cross namespaces. Callers skip the lookup with
   * "Cache-Control: no-cache" and skip the cache entirely with "no-store". With semantic set, a request that
   * misses the exact cache may be answered with the stored answer of an earlier request that differs only in
   * the wording of its last user turn (docs/cache.md).
   */
  cache?: {
    /** How long a stored answer is served, a duration from 1s to 24h such as 10m. */
    ttl: string;
    /**
     * Who shares an answer. VirtualKey (default): only the key whose request produced it. Namespace: every
     * key of the calling key's namespace (the tenant); keys of other namespaces never see it, even on a
     * route in a shared namespace.
     */
    scope?: CacheScope;
    /**
     * Semantic lookup, opt-in, after an exact miss. Only the text of the last user turn is compared by
     * meaning (cosine similarity of its embeddings); everything else (system prompt, earlier turns, tools
     * and tool results, sampling and format parameters, model, scope) must be identical. Requests whose last
     * turn carries tool results, images or documents, whose temperature is above maxTemperature, or whose
     * last user turn is longer than maxTurnChars are not looked up semantically. The embedding call goes
     * through this gateway's routing to embeddingModel under the caller's key, and its cost is charged on
     * hits and misses; a semantic hit is charged the embedding only. A semantic hit answers with
     * "x-switchyard-cache: semantic-hit" and its cosine similarity in "x-switchyard-cache-similarity".
     */
    semantic?: SemanticCacheSpec;
  };
}

/** One provider deployment of the model. */
export interface BackendSpec {
  /**
   * Name of the backend, unique within the route (a DNS label). Reported in the x-switchyard-backend
   * response header, metrics and logs.
   */
  name: string;
  /** The provider API this backend speaks. */
  provider: ProviderName;
  /**
   * Provider-side model id sent upstream (for example gpt-4o-2024-08-06,
   * anthropic.claude-sonnet-4-5-20250929-v1:0 or llama3.1:8b). Any non-blank characters; ':' is allowed
   * here.
   */
  model: string;
  /**
   * What the provider's official SDK calls its base URL. OpenAI and every OpenAI-compatible provider include
   * the version (https://api.openai.com/v1); Anthropic and Gemini are the host; Bedrock is the runtime host;
   * Azure OpenAI is https://<resource>.openai.azure.com/openai. Optional except for openai-compatible and
   * azure-openai; each other provider has a default.
   */
  baseURL?: string;
  /**
   * Where the provider credential comes from: Secrets (secretRef) or files mounted into the gateway pods
   * (file, e.g. by the Vault or Secrets Store CSI driver); traffic spreads across them by weight. Required
   * except for ollama, vllm, openai-compatible and mock, and for bedrock with bedrock.useAmbientCredentials.
   */
  credentials?: CredentialSpec[];
  /**
   * Tier of the backend; 0 serves first, higher tiers only when every backend of the lower tiers failed or
   * is ejected.
   */
  priority?: number;
  /** Share of the tier's traffic this backend receives. 0 drains it. */
  weight?: number;
  /**
   * USD per million tokens as decimal strings; overrides the built-in price catalog for this backend.
   * Without a catalog price and without pricing, the route reports PriceUnknown and keys under a Block
   * budget are refused this backend.
   */
  pricing?: PricingSpec;
  /**
   * Extra static HTTP headers sent upstream with every request (for example OpenAI-Organization or
   * anthropic-beta). Headers carrying credentials or framing are owned by the gateway and may not be set.
   */
  headers?: Record<string, string>;
  /**
   * Labels of the backend (for example region: eu or residency: gdpr), carried into the routing table. A
   * VirtualKey's backendSelector matches them: such a key is only ever routed, retried and fallen back to
   * backends carrying every label it requires. Keys and values follow Kubernetes label syntax.
   */
  labels?: Record<string, string>;
  /**
   * What the backend's model can serve. A request this backend cannot serve (a prompt estimate over
   * contextWindow, max output above maxOutputTokens, images to a model without vision, tools to a model
   * without tools, JSON-schema output to a model without jsonSchema, reasoning options to a model without
   * reasoning) never goes to it, on any attempt or fallback. A field left out takes the built-in capability
   * catalog's value for the backend's provider and model, when the catalog lists them; otherwise the gateway
   * does not know and does not filter on it.
   */
  capabilities?: BackendCapabilitiesSpec;
  /**
   * Most requests one gateway replica has in flight to this backend at once (from the call to the last byte
   * of the answer). When every usable backend of the route is at its limit, a request waits for a free slot
   * up to the first-byte timeout, then fails with 503 backends_saturated; a backend at its limit is passed
   * over while another (any tier) has room. Unset: no limit.
   */
  maxConcurrency?: number;
  /**
   * How long a conversation stays with this backend after its last answered request when the route has
   * affinity enabled, replacing the route's affinity.ttl: set it to this provider's prompt-cache lifetime
   * (Anthropic's 1-hour cache, OpenAI's extended retention) when it differs from the route's other backends.
   * Between 1s and 24h.
   */
  affinityTTL?: string;
  /**
   * Timeouts for this backend's attempts, each replacing the route's spec.timeouts value of the same name (a
   * slow frontier model beside fast small ones).
   */
  timeouts?: {
    /** TCP and TLS connection establishment. */
    connect?: string;
    /** From sending the request to the first byte of the upstream response. */
    firstByte?: string;
    /** Whole upstream exchange, streaming included. */
    total?: string;
    /** Longest silence between two chunks of a streamed response. */
    streamIdle?: string;
  };
  /** Azure OpenAI deployment. Required for, and only valid with, provider azure-openai. */
  azure?: {
    /** Name of the Azure OpenAI deployment (the path segment after /deployments/). */
    deployment: string;
    /** The api-version query parameter, for example 2024-10-21 or 2025-04-01-preview. */
    apiVersion?: string;
  };
  /** Amazon Bedrock settings. Required for, and only valid with, provider bedrock. */
  bedrock?: {
    /** AWS region of the Bedrock runtime endpoint and of the SigV4 signature, for example us-east-1. */
    region: string;
    /**
     * Sign with the gateway pod's ambient AWS identity (IRSA, instance profile, environment) instead of a
     * Secret. Mutually exclusive with credentials.
     */
    useAmbientCredentials?: boolean;
  };
  /** Google Vertex AI settings. Required for, and only valid with, provider vertex-ai. */
  vertex?: {
    /** Google Cloud project id. */
    project: string;
    /** Vertex AI location, for example us-central1, europe-west4 or global. */
    location: string;
  };
  /**
   * Behaviour of the built-in mock provider (deterministic answers for demos, load tests and CI). Only valid
   * with provider mock.
   */
  mock?: MockSpec;
}

/** The provider API this backend speaks. */
export type ProviderName =
  | 'openai'
  | 'azure-openai'
  | 'anthropic'
  | 'gemini'
  | 'vertex-ai'
  | 'bedrock'
  | 'mistral'
  | 'groq'
  | 'deepseek'
  | 'xai'
  | 'together'
  | 'fireworks'
  | 'openrouter'
  | 'cohere'
  | 'ollama'
  | 'vllm'
  | 'openai-compatible'
  | 'mock';

/** One credential, from exactly one source (secretRef or file). */
export interface CredentialSpec {
  /**
   * A file in the gateway's own filesystem holding the API key (the service-account JSON for vertex-ai),
   * typically mounted from a vault by a CSI driver through the chart's gateway.extraVolumes. Only the path
   * is compiled: the operator never reads the value. Every gateway re-reads it when it changes (new requests
   * use the new value within seconds, requests in flight finish on the old one). A file that was never
   * readable fails the attempts that pick it, which move on to other backends; one that becomes unreadable
   * keeps its last value until it is readable again.
   */
  file?: {
    /** Absolute path of the file inside the gateway container, such as /vault/openai/key. */
    path: string;
  };
  /** A Secret in the route's namespace. */
  secretRef?: SecretRefSpec;
  /** Share of this backend's traffic sent with this credential. 0 drains it. */
  weight?: number;
}

/** A Secret in the route's namespace. */
export interface SecretRefSpec {
  /** Name of the Secret, in the same namespace as the ModelRoute. */
  name: string;
  /**
   * Entry of the Secret holding the API key (the service-account JSON for vertex-ai). Omit it for bedrock,
   * whose Secret holds accessKeyId, secretAccessKey and optionally sessionToken.
   */
  key?: string;
}

/**
 * USD per million tokens as decimal strings; overrides the built-in price catalog for this backend. Without
 * a catalog price and without pricing, the route reports PriceUnknown and keys under a Block budget are
 * refused this backend.
 */
export interface PricingSpec {
  /** USD per million uncached input tokens, a decimal string such as "2.50". */
  inputPerMillion: string;
  /** USD per million output tokens (reasoning included), a decimal string such as "10.00". */
  outputPerMillion: string;
  /** USD per million input tokens read from the provider's prompt cache. Defaults to inputPerMillion. */
  cachedInputPerMillion?: string;
  /** USD per million input tokens written to the provider's prompt cache. Defaults to inputPerMillion. */
  cacheWritePerMillion?: string;
}

/**
 * What the backend's model can serve. A request this backend cannot serve (a prompt estimate over
 * contextWindow, max output above maxOutputTokens, images to a model without vision, tools to a model
 * without tools, JSON-schema output to a model without jsonSchema, reasoning options to a model without
 * reasoning) never goes to it, on any attempt or fallback. A field left out takes the built-in capability
 * catalog's value for the backend's provider and model, when the catalog lists them; otherwise the gateway
 * does not know and does not filter on it.
 */
export interface BackendCapabilitiesSpec {
  /** Most prompt tokens the model accepts (input plus cached input). */
  contextWindow?: number;
  /** Most output tokens one answer may ask for; a request whose max_tokens is larger skips this backend. */
  maxOutputTokens?: number;
  /** Whether the model accepts tool (function) definitions. */
  tools?: boolean;
  /** Whether the model accepts images in the prompt. */
  vision?: boolean;
  /** Whether the model supports structured output constrained by a JSON schema. */
  jsonSchema?: boolean;
  /** Whether the model accepts reasoning options (reasoning_effort, thinking budgets). */
  reasoning?: boolean;
}

/**
 * Behaviour of the built-in mock provider (deterministic answers for demos, load tests and CI). Only valid
 * with provider mock.
 */
export interface MockSpec {
  /** Delay before the first byte, a duration such as 250ms. */
  latency?: string;
  /**
   * Share of calls that fail with an upstream 500, from 0 to 1. A decimal string ("0.25") or the integers 0
   * and 1. The failure sequence is deterministic per backend.
   */
  failureRate?: number | string;
  /** Fixed answer text. Without it the mock answers with the last user message. */
  response?: string;
}

/** A failure class. */
export type RetryableFailure = 'RateLimited' | 'ServerError' | 'Timeout' | 'ConnectError';

/**
 * How a backend is chosen inside a priority tier. weighted: at random by weight. least-outstanding: the
 * backend with the fewest requests in flight in this gateway, divided by its weight. latency: the lowest
 * peak-EWMA time to first byte, times its requests in flight, divided by its weight; a stale measurement
 * decays (half-life 10s) so a slow period does not exile a backend. cheapest: the backend with the lowest
 * estimated cost for this request (estimated prompt tokens and max output at its price); unpriced backends
 * come last. Retries, tiers, ejection and capabilities apply to every strategy.
 */
export type RoutingStrategy = 'weighted' | 'least-outstanding' | 'latency' | 'cheapest';

/**
 * One rule. Every condition given must hold; an empty match matches every request. It names either backends
 * of this route or another route.
 */
export interface RouteRuleSpec {
  /** Optional name of the rule, reported in the request's log line. */
  name?: string;
  /** Request features the rule requires. */
  match: RuleMatchSpec;
  /** Names of this route's backends the rule selects. */
  backends?: string[];
  /**
   * The public model name (or alias) of another ModelRoute in this namespace (or a shared one) that serves
   * the matching requests instead of this route: its backends, strategy, retries, fallbacks, prices and
   * cache. The caller's key must be allowed to use it; otherwise the rule is passed over. That route's own
   * rules choose among its backends, but a rule there naming yet another route is not followed (one
   * hand-over per request).
   */
  route?: string;
}

/** Request features the rule requires. */
export interface RuleMatchSpec {
  /**
   * Tags the request must all carry in the x-switchyard-tags header (comma-separated, compared
   * case-sensitively after trimming).
   */
  tags?: string[];
  /**
   * Entries the request body's metadata object (OpenAI Chat Completions and Responses) must carry with
   * exactly these string values.
   */
  metadata?: Record<string, string>;
  /**
   * Least estimated prompt tokens (the gateway's byte-based upper bound, the estimate budget reservations
   * use).
   */
  minPromptTokens?: number;
  /** Most estimated prompt tokens (same estimate as minPromptTokens). */
  maxPromptTokens?: number;
  /** Whether the request must (true) or must not (false) define tools. */
  hasTools?: boolean;
  /** Whether the request must (true) or must not (false) carry images. */
  hasImages?: boolean;
  /** Whether the request must (true) or must not (false) ask for JSON-schema output. */
  jsonSchema?: boolean;
  /** The wire formats the caller may have spoken (one of them must fit). */
  frontDoors?: RuleFrontDoor[];
  /** Labels the calling VirtualKey must carry with exactly these values. */
  keyLabels?: Record<string, string>;
}

/** A front door's wire format. */
export type RuleFrontDoor = 'openai' | 'openai-responses' | 'anthropic' | 'gemini';

/**
 * Prompt-cache affinity: requests of one conversation go to the backend and credential that served it last,
 * while that backend is healthy and serves the request, so the provider's prompt cache keeps hitting. The
 * conversation is the body's prompt_cache_key, else the x-switchyard-session header, else the body's user,
 * else a digest of the system prompt, tools and first user message. Each gateway remembers at most 10000
 * conversations (least recently used forgotten first).
 */
export interface AffinitySpec {
  /** Whether requests of one conversation stick to one backend and credential. */
  enabled?: boolean;
  /**
   * How long after its last request a conversation keeps its backend, a duration from 1s to 24h (match the
   * provider's prompt-cache lifetime, typically 5m).
   */
  ttl?: string;
}

/**
 * Hosted tools on this route, whatever the front door: the gateway offers the tools of these MCPServers
 * (those the calling key's allowedTools permit) to the model, runs the calls it asks for, and feeds the
 * results back, for at most maxRounds model rounds.
 */
export interface RouteMCPSpec {
  /** Names of MCPServers in the route's namespace or a shared namespace. */
  servers: string[];
  /** Most model calls per request, the first included. */
  maxRounds?: number;
}

/**
 * Who shares an answer. VirtualKey (default): only the key whose request produced it. Namespace: every key
 * of the calling key's namespace (the tenant); keys of other namespaces never see it, even on a route in a
 * shared namespace.
 */
export type CacheScope = 'VirtualKey' | 'Namespace';

/**
 * Semantic lookup, opt-in, after an exact miss. Only the text of the last user turn is compared by meaning
 * (cosine similarity of its embeddings); everything else (system prompt, earlier turns, tools and tool
 * results, sampling and format parameters, model, scope) must be identical. Requests whose last turn carries
 * tool results, images or documents, whose temperature is above maxTemperature, or whose last user turn is
 * longer than maxTurnChars are not looked up semantically. The embedding call goes through this gateway's
 * routing to embeddingModel under the caller's key, and its cost is charged on hits and misses; a semantic
 * hit is charged the embedding only. A semantic hit answers with "x-switchyard-cache: semantic-hit" and its
 * cosine similarity in "x-switchyard-cache-similarity".
 */
export interface SemanticCacheSpec {
  /**
   * Name of the ModelRoute that serves the embeddings, in this route's namespace or a shared namespace (this
   * namespace first). It is called through the gateway's own routing, retries and fallbacks under the
   * calling key.
   */
  embeddingModel: string;
  /**
   * Lowest cosine similarity (0 to 1] between the last user turns at which a stored answer is served. Higher
   * is stricter. The default was chosen from the labelled evaluation in docs/cache.md. Callers may raise it
   * per request with the x-switchyard-cache-threshold header, never lower it.
   */
  threshold?: number;
  /**
   * Most stored questions per partition (requests identical except for the last user turn, in one scope);
   * the oldest goes first. Bounds the work of one lookup, which compares against every entry of its
   * partition.
   */
  maxEntriesPerPartition?: number;
  /**
   * Requests whose temperature is above this are not looked up or stored semantically: a caller asking for
   * variety should not get a neighbour's answer. A request without temperature counts as allowed.
   */
  maxTemperature?: number;
  /**
   * Last user turns longer than this many characters are not looked up or stored semantically: in a long
   * text one changed number or name barely moves the embedding. The exact cache still applies.
   */
  maxTurnChars?: number;
}

/** Who may call which models, how fast, and until when. */
export interface VirtualKeySpec {
  /**
   * Secret in the same namespace whose data.key is the key. In a cluster the operator creates it with a
   * fresh random key (sk-sy- and at least 32 random base62 characters) when absent, owned by this
   * VirtualKey; in standalone mode it must be among the manifests. Omit it for a key used only through
   * spec.subjects: then no secret exists at all.
   */
  secretName?: string;
  /**
   * Public model names this key may call, as globs where '*' matches any run of characters; they also match
   * aliases, and fallback models must pass them too. Omit for every visible model; an empty list is invalid.
   */
  allowedModels?: string[];
  /** Per-key limits, enforced across gateway replicas when Redis is configured. Absent means unlimited. */
  rateLimit?: {
    /** Requests admitted per rolling minute. */
    requestsPerMinute?: number;
    /** Input plus output tokens per rolling minute (estimated at admission, corrected at settlement). */
    tokensPerMinute?: number;
    /** Requests in flight at once. */
    concurrentRequests?: number;
  };
  /** Switches the key off; requests with it get 401. */
  disabled?: boolean;
  /** RFC 3339 instant after which requests with the key get 401. Absent means never. */
  expiresAt?: string;
  /**
   * Upstream timeouts for this key's requests, each replacing the value of the same name that the serving
   * backend or its route sets (a batch client that waits minutes for a long answer, an interactive one that
   * would rather fail over sooner). Absent fields keep the route's and backend's values.
   */
  timeouts?: {
    /** TCP and TLS connection establishment. */
    connect?: string;
    /** From sending the request to the first byte of the upstream response. */
    firstByte?: string;
    /** Whole upstream exchange, streaming included. */
    total?: string;
    /** Longest silence between two chunks of a streamed response. */
    streamIdle?: string;
  };
  /**
   * Which MCP tools the key may list and call on the gateway's /mcp endpoint, among the MCPServers of its
   * own namespace and the shared namespaces. Absent means no tools at all: MCP access is denied by default.
   */
  mcp?: KeyMCPSpec;
  /**
   * Data residency: the backend labels this key requires. Requests with the key are routed, retried and
   * fallen back only to ModelRoute backends whose labels include every entry of matchLabels (for example
   * region: eu); a model with no such backend answers 403 backend_selector_unmatched. Absent means every
   * backend.
   */
  backendSelector?: {
    /** Label key and value every backend serving this key must carry. */
    matchLabels: Record<string, string>;
  };
  /**
   * Callers that use this key with a token of their own instead of the key's secret: a ServiceAccount's
   * projected token (audience: the gateway's --token-audience), or a token from an OIDC issuer. The gateway
   * validates the token offline (signature against the issuer's published keys, issuer, audience, expiry)
   * and serves the request as this key. One ServiceAccount may be bound by one VirtualKey only (the oldest
   * in the ServiceAccount's own namespace keeps it, else the oldest); an OIDC token is served by the first
   * key, in namespace/name order, with a subject it matches.
   */
  subjects?: {
    /** ServiceAccount (a Kubernetes ServiceAccount of this cluster) or OIDC (any OpenID Connect issuer). */
    kind: 'ServiceAccount' | 'OIDC';
    /**
     * ServiceAccount only. Its namespace; any namespace may be named (the VirtualKey's author decides who
     * may use it).
     */
    namespace?: string;
    /** ServiceAccount only. Its name. */
    name?: string;
    /**
     * OIDC only. The issuer URL exactly as the token's iss claim has it (https://...). The gateway reads
     * <issuer>/.well-known/openid-configuration and the jwks_uri it names through its egress guard.
     */
    issuer?: string;
    /** OIDC only. A value the token's aud claim must contain. */
    audience?: string;
    /**
     * OIDC only. Claims the token must carry with exactly these string values, e.g. sub, email or azp.
     * Absent: any token of the issuer for the audience matches.
     */
    claims?: Record<string, string>;
    /** OIDC only. The claim holding the caller's groups (an array of strings, or one string). Default groups. */
    groupsClaim?: string;
    /**
     * OIDC only. The caller must be a member of at least one of these groups (read from groupsClaim).
     * Absent: group membership is not checked.
     */
    groups?: string[];
  }[];
}

/**
 * Which MCP tools the key may list and call on the gateway's /mcp endpoint, among the MCPServers of its own
 * namespace and the shared namespaces. Absent means no tools at all: MCP access is denied by default.
 */
export interface KeyMCPSpec {
  /**
   * Globs over prefixed tool names (<prefix>__<tool>), where '*' matches any run of characters:
   * github__create_issue, github__*, or * for every tool the key can see.
   */
  allowedTools: string[];
  /**
   * Limits on this key's tool calls, across gateway replicas when Redis is configured. Absent means
   * unlimited.
   */
  rateLimit?: {
    /** tools/call requests admitted per rolling minute. */
    callsPerMinute?: number;
  };
}

/** The limit, its period, and the keys it covers. */
export interface BudgetSpec {
  /**
   * Label selector over the VirtualKeys of the Budget's namespace (a metav1.LabelSelector). The requirements
   * are ANDed; an empty selector ({}) covers every key of the namespace.
   */
  selector: LabelSelector;
  /** USD per period, a decimal string such as "500.00" (at most 9 decimals). */
  limit: string;
  /**
   * When spend starts again from zero, at 00:00 UTC: Daily, Weekly (from Monday), Monthly (from the 1st), or
   * Total (never).
   */
  period?: BudgetPeriod;
  /**
   * Block denies requests (429, code budget_exceeded) once the limit is reached; Warn admits them, sets the
   * Exceeded condition and alerts.
   */
  enforcement?: BudgetEnforcement;
  /**
   * How admission bounds a request's prompt tokens before the provider reports them (the reservation is then
   * settled to the real cost). Strict counts every UTF-8 byte as a token, a proven upper bound for
   * byte-level tokenizers that is 3-4 times the real count for English. Tokenized counts with the provider
   * family's own tokenizer where one is published (OpenAI models: exact text tokens) and with a calibrated
   * characters-per-token ratio and a safety margin elsewhere; it can fall short of the real count on unusual
   * text, so the budget can overshoot by that much (docs/governance.md states the bound seen). Prompts
   * longer than the tokenizer's character cap are bounded as Strict. A key covered by several budgets is
   * estimated as Tokenized only when all of them are; its tokensPerMinute limit then uses the same estimate.
   */
  reservation?: BudgetReservation;
}

/**
 * Label selector over the VirtualKeys of the Budget's namespace (a metav1.LabelSelector). The requirements
 * are ANDed; an empty selector ({}) covers every key of the namespace.
 */
export interface LabelSelector {
  /** Labels a key must carry, each with exactly this value. */
  matchLabels?: Record<string, string>;
  /** Set-based label requirements. */
  matchExpressions?: LabelSelectorRequirement[];
}

/** One requirement on one label key. */
export interface LabelSelectorRequirement {
  /** The label key. */
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist. */
  values?: string[];
}

/**
 * When spend starts again from zero, at 00:00 UTC: Daily, Weekly (from Monday), Monthly (from the 1st), or
 * Total (never).
 */
export type BudgetPeriod = 'Daily' | 'Weekly' | 'Monthly' | 'Total';

/**
 * Block denies requests (429, code budget_exceeded) once the limit is reached; Warn admits them, sets the
 * Exceeded condition and alerts.
 */
export type BudgetEnforcement = 'Block' | 'Warn';

/**
 * How admission bounds a request's prompt tokens before the provider reports them (the reservation is then
 * settled to the real cost). Strict counts every UTF-8 byte as a token, a proven upper bound for byte-level
 * tokenizers that is 3-4 times the real count for English. Tokenized counts with the provider family's own
 * tokenizer where one is published (OpenAI models: exact text tokens) and with a calibrated
 * characters-per-token ratio and a safety margin elsewhere; it can fall short of the real count on unusual
 * text, so the budget can overshoot by that much (docs/governance.md states the bound seen). Prompts longer
 * than the tokenizer's character cap are bounded as Strict. A key covered by several budgets is estimated as
 * Tokenized only when all of them are; its tokensPerMinute limit then uses the same estimate.
 */
export type BudgetReservation = 'Strict' | 'Tokenized';

/**
 * Where the server is, how the gateway authenticates to it, and which of its tools are offered. Exactly one
 * of url, openapi and command is set.
 */
export interface MCPServerSpec {
  /**
   * The server's MCP endpoint, an http:// or https:// URL (the streamable HTTP endpoint, or the SSE endpoint
   * with transport sse). The gateway's egress guard applies as for ModelRoute backends.
   */
  url?: string;
  /**
   * How the gateway speaks to url: streamable-http (the current MCP transport) or sse (the legacy HTTP+SSE
   * transport of protocol 2024-11-05). Ignored for openapi and command.
   */
  transport?: MCPTransport;
  /** Extra headers sent with every request to the server, each from a literal value or a Secret. */
  headers?: MCPHeaderSpec[];
  /**
   * How the gateway authenticates to the server: none (default), bearer (a token from a Secret),
   * oauth2ClientCredentials (the gateway's own token from tokenURL, cached and refreshed) or oauth2PerUser
   * (the caller's own token, obtained with the authorization-code flow and PKCE).
   */
  auth?: MCPAuthSpec;
  /**
   * Callers see this server's tools as <prefix>__<tool>. Lowercase letters, digits, '_' and '-', without
   * '__'. Defaults to metadata.name. Two servers a key can see may not share a prefix (the older one keeps
   * it).
   */
  prefix?: string;
  /**
   * Which of the server's tools are offered, by their own (unprefixed) names: those matching an include glob
   * and no exclude glob. '*' matches any run of characters.
   */
  toolFilter?: {
    /** Globs of tools to offer. */
    include?: string[];
    /** Globs of tools never offered, even when included. */
    exclude?: string[];
  };
  /** Deadlines for talking to the server. */
  timeouts?: {
    /** Establishing the connection and the protocol handshake (initialize or server/discover). At most 5m. */
    connect?: string;
    /** One request to the server, such as a tools/call, from sending it to the whole answer. At most 1h. */
    call?: string;
  };
  /**
   * Hosted tools instead of an MCP server: an OpenAPI 3.0 or 3.1 document (JSON or YAML, at most 1 MiB)
   * whose selected operations become tools, each executed by the gateway as an HTTP call to baseURL with the
   * server's headers and auth. Exactly one of configMapRef and inline. A document that does not compile
   * leaves the server Accepted=False, reason InvalidOpenAPIDocument, naming the problem.
   */
  openapi?: {
    /** The ConfigMap entry holding the OpenAPI document (JSON or YAML), in the server's namespace. */
    configMapRef?: {
      /** Name of the ConfigMap. */
      name: string;
      /** Entry of the ConfigMap holding the document. */
      key: string;
    };
    /** The OpenAPI document itself (JSON or YAML text), instead of configMapRef. */
    inline?: string;
    /**
     * Where the operations are called: each tool call goes to baseURL followed by the operation's path. The
     * document's servers are ignored, so the document cannot send calls (and credentials) elsewhere. The
     * egress guard applies.
     */
    baseURL: string;
    /**
     * Globs ('*' matches any run of characters) over the tool names (the operationId, or for an operation
     * without one the derived <method>_<path> name) selecting the operations offered as tools; at most 256
     * may be selected.
     */
    operations?: string[];
  };
  /**
   * Standalone mode only: a stdio server the gateway starts, as the program and its arguments. Refused in a
   * cluster, where the gateway runs no child processes.
   */
  command?: string[];
  /**
   * Standalone mode only, with command: environment variables for the stdio server, each from a literal
   * value or a Secret. The server sees these and PATH, HOME, LANG and TMPDIR from the gateway's own
   * environment, never the rest of it (which holds the gateway's credentials).
   */
  env?: {
    /** Variable name, letters, digits and '_', not starting with a digit. */
    name: string;
    /** A literal value (not for secrets; use valueFrom). */
    value?: string;
    /** Where the value comes from. */
    valueFrom?: {
      /** An entry of a Secret in the server's namespace. */
      secretKeyRef: {
        /** Name of the Secret, in the same namespace as the MCPServer. */
        name: string;
        /** Entry of the Secret holding the variable's value. */
        key: string;
      };
    };
  }[];
}

/**
 * How the gateway speaks to url: streamable-http (the current MCP transport) or sse (the legacy HTTP+SSE
 * transport of protocol 2024-11-05). Ignored for openapi and command.
 */
export type MCPTransport = 'streamable-http' | 'sse';

/** One header; exactly one of value and valueFrom. */
export interface MCPHeaderSpec {
  /**
   * Header name: letters, digits and '-'. Authorization, Host, Content-Length, Content-Type,
   * Transfer-Encoding, Connection and the MCP protocol headers are the gateway's own (use auth for
   * credentials).
   */
  name: string;
  /** A literal value (not for secrets; use valueFrom). */
  value?: string;
  /** Where the value comes from. */
  valueFrom?: {
    /** An entry of a Secret in the server's namespace. */
    secretKeyRef: {
      /** Name of the Secret, in the same namespace as the MCPServer. */
      name: string;
      /** Entry of the Secret holding the header value. */
      key: string;
    };
  };
}

/**
 * How the gateway authenticates to the server: none (default), bearer (a token from a Secret),
 * oauth2ClientCredentials (the gateway's own token from tokenURL, cached and refreshed) or oauth2PerUser
 * (the caller's own token, obtained with the authorization-code flow and PKCE).
 */
export interface MCPAuthSpec {
  /** The authentication scheme. */
  type?: MCPAuthType;
  /** For bearer, the Secret entry holding the token (sent as Authorization Bearer). */
  secretRef?: SecretKeyRefSpec;
  /** For oauth2PerUser, the authorization server's authorization endpoint. */
  authorizationURL?: string;
  /** For the oauth2 types, the authorization server's token endpoint. */
  tokenURL?: string;
  /** For the oauth2 types, the gateway's OAuth client id. */
  clientId?: string;
  /** For the oauth2 types, the Secret entry holding the client secret. */
  clientSecretRef?: {
    /** Name of the Secret, in the same namespace as the MCPServer. */
    name: string;
    /** Entry of the Secret holding the client secret. */
    key: string;
  };
  /** For the oauth2 types, the scopes requested. */
  scopes?: string[];
}

/** The authentication scheme. */
export type MCPAuthType = 'none' | 'bearer' | 'oauth2ClientCredentials' | 'oauth2PerUser';

/** For bearer, the Secret entry holding the token (sent as Authorization Bearer). */
export interface SecretKeyRefSpec {
  /** Name of the Secret, in the same namespace as the MCPServer. */
  name: string;
  /** Entry of the Secret holding the token. */
  key: string;
}

/** The keys and routes the policy applies to, and its checks in order. */
export interface GuardrailPolicySpec {
  /**
   * Label selector over the VirtualKeys of the policy's namespace (a metav1.LabelSelector). The requirements
   * are ANDed; an empty selector ({}) selects every key of the namespace.
   */
  selector: {
    /** Labels a key must carry, each with exactly this value. */
    matchLabels?: Record<string, string>;
    /** Set-based label requirements. */
    matchExpressions?: {
      /** The label key. */
      key: string;
      /** In, NotIn, Exists or DoesNotExist. */
      operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
      /** Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist. */
      values?: string[];
    }[];
  };
  /**
   * Optional label selector over the ModelRoutes the selected keys can use (their own namespace and the
   * shared namespaces). Absent, the policy applies on every route; an empty selector ({}) also matches every
   * route.
   */
  routeSelector?: {
    /** Labels a route must carry, each with exactly this value. */
    matchLabels?: Record<string, string>;
    /** Set-based label requirements. */
    matchExpressions?: {
      /** The label key. */
      key: string;
      /** In, NotIn, Exists or DoesNotExist. */
      operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
      /** Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist. */
      values?: string[];
    }[];
  };
  /**
   * Characters of streamed answer text held back so that a match spanning chunks is caught before it reaches
   * the caller (default 128). Text older than the window is released at once. When several policies apply,
   * the largest window is used. A match longer than the window may reach the caller in part.
   */
  streamHoldback?: number;
  /** The checks, run in this order. */
  checks: GuardrailCheckSpec[];
}

/** One check, its direction and its action. */
export interface GuardrailCheckSpec {
  /** Names the check in errors, metrics and logs; unique within the policy. */
  name: string;
  /**
   * pii (built-in detectors named in entities, validated by checksum where one exists), secrets (API-key and
   * private-key patterns), regex (pattern, linear-time subset only), denylist (phrases, case-insensitive,
   * whole words), webhook (an HTTP service decides), moderation (asks a route of the gateway serving
   * /v1/moderations; a flagged text triggers the action).
   */
  type: GuardrailCheckType;
  /**
   * Where the check runs - input (the prompt, tool calls and tool results sent upstream), output (the
   * answer), or both.
   */
  on: GuardrailDirection;
  /**
   * block refuses the request or the answer (HTTP 400, code guardrail_blocked; a stream ends with the front
   * door's error event); redact replaces each match with a placeholder such as [EMAIL_1], stable within a
   * request; log only records the decision. Optional for webhook checks, where it is what a block verdict
   * does (default block).
   */
  action?: GuardrailAction;
  /**
   * With action redact - put the original values back where the model's answer echoes this check's
   * placeholders (whole answers and streams), so the caller reads its own data while the upstream never saw
   * it. Default false.
   */
  restore?: boolean;
  /** PII detectors of a pii check. */
  entities?: PiiEntity[];
  /** Words or phrases of a denylist check, matched case-insensitively on word boundaries. */
  phrases?: string[];
  /**
   * A JavaScript regular expression of a regex check. Only patterns that cannot backtrack catastrophically
   * are accepted - no backreferences, no lookaround, and no quantifier on a group that itself holds a
   * quantifier or an alternation.
   */
  pattern?: string;
  /** The http(s) URL a webhook check POSTs its JSON request to (contract in docs/guardrails.md). */
  url?: string;
  /**
   * How long a webhook or moderation check waits for its answer (default 500ms for webhooks, 2s for
   * moderation; at most 30s).
   */
  timeout?: string;
  /**
   * What a webhook or moderation check that times out, fails or answers nonsense means - Closed blocks the
   * request (default), Open lets it through and records the failure.
   */
  failurePolicy?: 'Open' | 'Closed';
  /**
   * The public model name (a ModelRoute the key can reach) a moderation check asks through the gateway's own
   * /v1/moderations pipeline.
   */
  model?: string;
}

/**
 * pii (built-in detectors named in entities, validated by checksum where one exists), secrets (API-key and
 * private-key patterns), regex (pattern, linear-time subset only), denylist (phrases, case-insensitive,
 * whole words), webhook (an HTTP service decides), moderation (asks a route of the gateway serving
 * /v1/moderations; a flagged text triggers the action).
 */
export type GuardrailCheckType = 'pii' | 'secrets' | 'regex' | 'denylist' | 'webhook' | 'moderation';

/**
 * Where the check runs - input (the prompt, tool calls and tool results sent upstream), output (the answer),
 * or both.
 */
export type GuardrailDirection = 'input' | 'output' | 'both';

/**
 * block refuses the request or the answer (HTTP 400, code guardrail_blocked; a stream ends with the front
 * door's error event); redact replaces each match with a placeholder such as [EMAIL_1], stable within a
 * request; log only records the decision. Optional for webhook checks, where it is what a block verdict does
 * (default block).
 */
export type GuardrailAction = 'block' | 'redact' | 'log';

/** A built-in PII detector. */
export type PiiEntity = 'email' | 'phone' | 'credit_card' | 'iban' | 'us_ssn' | 'ip_address';

/**
 * ModelRoute publishes one model name (plus aliases) to the virtual keys that can see it and says which
 * provider backends serve it: priority tiers, weights inside a tier, retries, timeouts, outlier ejection and
 * fallback models. Keys see the routes of their own namespace and of the shared namespaces; two visible
 * routes may not claim one name (the older wins).
 */
export interface ModelRouteManifest {
  apiVersion: string;
  kind: 'ModelRoute';
  metadata: ObjectMeta;
  spec: ModelRouteSpec;
}

/**
 * VirtualKey is a credential for one consumer of the gateway. The key itself lives in a Secret (data.key);
 * the routing table only holds its SHA-256 digest. A key may use the ModelRoutes of its own namespace and of
 * the shared namespaces, and is charged in every Budget of its namespace whose selector matches its labels.
 */
export interface VirtualKeyManifest {
  apiVersion: string;
  kind: 'VirtualKey';
  metadata: ObjectMeta;
  spec: VirtualKeySpec;
}

/**
 * Budget is a USD spend limit per period over the VirtualKeys of its namespace that its selector matches. A
 * key covered by several budgets is charged in each, and is admitted only while every Block budget covering
 * it has room.
 */
export interface BudgetManifest {
  apiVersion: string;
  kind: 'Budget';
  metadata: ObjectMeta;
  spec: BudgetSpec;
}

/**
 * MCPServer is one upstream Model Context Protocol server whose tools the gateway offers on its /mcp
 * endpoint, each named <prefix>__<tool>. Keys of its own namespace (and, for a server in a shared namespace,
 * keys of every namespace) may use its tools when their spec.mcp.allowedTools globs match; a key without
 * spec.mcp sees no tools at all.
 */
export interface MCPServerManifest {
  apiVersion: string;
  kind: 'MCPServer';
  metadata: ObjectMeta;
  spec: MCPServerSpec;
}

/**
 * GuardrailPolicy checks prompts and answers of the VirtualKeys of its namespace that its selector matches
 * (and, with routeSelector, only on the ModelRoutes it matches). Several policies may apply to one request:
 * they run in namespace/name order, each policy's checks in list order, and when several checks match the
 * same text block wins over redact, which wins over log. See docs/guardrails.md.
 */
export interface GuardrailPolicyManifest {
  apiVersion: string;
  kind: 'GuardrailPolicy';
  metadata: ObjectMeta;
  spec: GuardrailPolicySpec;
}

export type SwitchyardKind = 'ModelRoute' | 'VirtualKey' | 'Budget' | 'MCPServer' | 'GuardrailPolicy';

/** The defaults the CRDs declare, for objects the API server did not default. */
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
  semanticThreshold: 0.9,
  semanticMaxEntriesPerPartition: 256,
  semanticMaxTemperature: 1,
  semanticMaxTurnChars: 2000,
  routingStrategy: 'weighted' as RoutingStrategy,
  affinityEnabled: false,
  affinityTtl: '5m',
  keyDisabled: false,
  budgetPeriod: 'Monthly' as BudgetPeriod,
  budgetEnforcement: 'Block' as BudgetEnforcement,
  budgetReservation: 'Strict' as BudgetReservation,
  routeMcpMaxRounds: 5,
  mcpTransport: 'streamable-http' as MCPTransport,
  mcpAuthType: 'none' as MCPAuthType,
  mcpToolInclude: ['*'],
  mcpToolExclude: [],
  mcpTimeoutConnect: '5s',
  mcpTimeoutCall: '60s',
  mcpOpenAPIOperations: ['*'],
} as const;

export type SwitchyardManifest = ModelRouteManifest | VirtualKeyManifest | BudgetManifest | MCPServerManifest | GuardrailPolicyManifest;

/** How the API server names each kind, and the columns `kubectl get` prints. */
export interface CrdNames {
  group: string;
  version: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames: readonly string[];
  categories: readonly string[];
  /** The CRD file under crds/. */
  crdFile: string;
  printerColumns: readonly string[];
}

export const CRD_NAMES: Readonly<Record<SwitchyardKind, CrdNames>> = {
  ModelRoute: {
    group: 'switchyard.dev',
    version: 'v1alpha1',
    plural: 'modelroutes',
    singular: 'modelroute',
    listKind: 'ModelRouteList',
    shortNames: ['mr'],
    categories: ['switchyard'],
    crdFile: 'switchyard.dev_modelroutes.yaml',
    printerColumns: ['Model', 'Backends', 'Accepted', 'Programmed', 'Age'],
  },
  VirtualKey: {
    group: 'switchyard.dev',
    version: 'v1alpha1',
    plural: 'virtualkeys',
    singular: 'virtualkey',
    listKind: 'VirtualKeyList',
    shortNames: ['vk'],
    categories: ['switchyard'],
    crdFile: 'switchyard.dev_virtualkeys.yaml',
    printerColumns: ['Models', 'Disabled', 'Hint', 'Accepted', 'Age'],
  },
  Budget: {
    group: 'switchyard.dev',
    version: 'v1alpha1',
    plural: 'budgets',
    singular: 'budget',
    listKind: 'BudgetList',
    shortNames: ['budget'],
    categories: ['switchyard'],
    crdFile: 'switchyard.dev_budgets.yaml',
    printerColumns: ['Spent', 'Limit', 'Period', 'Exceeded', 'Age'],
  },
  MCPServer: {
    group: 'switchyard.dev',
    version: 'v1alpha1',
    plural: 'mcpservers',
    singular: 'mcpserver',
    listKind: 'MCPServerList',
    shortNames: ['mcps'],
    categories: ['switchyard'],
    crdFile: 'switchyard.dev_mcpservers.yaml',
    printerColumns: ['URL', 'Base URL', 'Transport', 'Tools', 'Ready', 'Age'],
  },
  GuardrailPolicy: {
    group: 'switchyard.dev',
    version: 'v1alpha1',
    plural: 'guardrailpolicies',
    singular: 'guardrailpolicy',
    listKind: 'GuardrailPolicyList',
    shortNames: ['guardrail', 'grp'],
    categories: ['switchyard'],
    crdFile: 'switchyard.dev_guardrailpolicies.yaml',
    printerColumns: ['Checks', 'Keys', 'Accepted', 'Age'],
  },
};
