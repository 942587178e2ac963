// The unified request model. Every front door (OpenAI Chat Completions, OpenAI Responses,
// Anthropic Messages, Gemini) decodes into it and every provider encodes from it, so a new
// front door or provider is one folder, not N x M translations.

export type JsonSchema = Record<string, unknown>;

export type MediaSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export interface ImagePart {
  type: 'image';
  source: MediaSource;
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
}

/** A file such as a PDF (Anthropic `document`, Gemini `inlineData`/`fileData`, OpenAI `file`). */
export interface DocumentPart {
  type: 'document';
  source: MediaSource | { kind: 'text'; text: string };
  mediaType: string;
  title?: string;
  filename?: string;
  cacheControl?: CacheControl;
}

export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  /** JSON text of the arguments, exactly as the model produced it. */
  arguments: string;
}

export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  /** Name of the tool that was called: Gemini needs it, front doors resolve it from history. */
  toolName?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  /** A prompt-cache breakpoint after the whole result (Anthropic `cache_control` on a tool_result block). */
  cacheControl?: CacheControl;
}

/** Model reasoning ("thinking"). `signature`/`redactedData` round-trip Anthropic's opaque fields. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redactedData?: string;
}

export type ContentPart = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ReasoningPart;

/**
 * `system` messages may appear anywhere (OpenAI allows it); providers with a single system
 * slot hoist them in order. `developer` is folded into `system` at ingress. Tool results are
 * `tool` messages whose parts are all `tool_result`.
 */
export interface UnifiedMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: ContentPart[];
  name?: string;
}

export interface UnifiedTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
  strict?: boolean;
  /** A prompt-cache breakpoint after this tool's definition (Anthropic `cache_control` on a tool). */
  cacheControl?: CacheControl;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean; description?: string };

export interface ReasoningOptions {
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  /** Explicit thinking budget (Anthropic `budget_tokens`, Gemini `thinkingBudget`). */
  budgetTokens?: number;
}

export interface RoutingHints {
  /** String entries of the body's `metadata` (OpenAI Chat Completions), for rules. */
  metadata?: Record<string, string>;
  /** OpenAI's `prompt_cache_key`: names the conversation for affinity. */
  promptCacheKey?: string;
}

/**
 * An MCP server a caller asked the gateway to run tools from (the Responses API's `mcp` tool,
 * Anthropic Messages' `mcp_servers`). The pipeline resolves `label` against the MCPServers the
 * caller's key may use; the front door only says what was asked, in its own field names.
 */
export interface HostedMcpServer {
  /** The MCPServer's prefix (its name unless spec.prefix says otherwise) or `namespace/name`. */
  label: string;
  /** Where the caller named it in its request (`tools[0]`, `mcp_servers[1]`), for error messages. */
  field: string;
  /** The field holding `label` (`server_label`, `name`), for error messages. */
  labelField: string;
  /** A URL the caller gave; accepted only when it is the resolved MCPServer's own (`urlField` names it). */
  url?: string;
  urlField?: string;
  /** The server's own tool names the caller narrowed to; undefined: every tool the key may use. */
  allowedTools?: string[];
  /** Only tools the server annotates `readOnlyHint: true` (Responses `allowed_tools.read_only`). */
  readOnly?: boolean;
}

export interface UnifiedChatRequest {
  /** The public model name the caller asked for (route name or alias). */
  model: string;
  messages: UnifiedMessage[];
  tools?: UnifiedTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Caller's cap on output tokens; providers that require one get the route's defaultMaxTokens. */
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** End-user id for provider abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  reasoning?: ReasoningOptions;
  stream: boolean;
  /**
   * MCP servers whose tools the gateway offers to the model and runs itself (docs/mcp.md, "Hosted
   * tools"); the answer reports the listings and calls in the front door's own items. Never sent
   * upstream: the model sees plain function tools.
   */
  hostedMcp?: HostedMcpServer[];
  /** What the caller told the gateway's routing; never sent upstream (docs/routing.md, "Rules", "Affinity"). */
  routingHints?: RoutingHints;
  /** Provider-specific settings a front door carried that have no unified meaning. */
  providerOptions?: {
    /**
     * `cachedContent`: the resource name of a Gemini context cache (`cachedContents/{id}` on the
     * Gemini API, `projects/{p}/locations/{l}/cachedContents/{id}` on Vertex AI). It lives in one
     * Google project, so routing sends such a request only to a backend of the matching kind and
     * keeps it on one backend and credential (docs/routing.md, "Gemini context caches").
     */
    gemini?: { safetySettings?: unknown[]; cachedContent?: string };
    anthropic?: { metadata?: Record<string, unknown> };
    /** OpenAI's prompt-cache settings beyond `prompt_cache_key` (a routing hint, see RoutingHints). */
    openai?: { promptCacheRetention?: 'in_memory' | '24h' };
  };
}

export interface UnifiedEmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  encodingFormat?: 'float' | 'base64';
  user?: string;
  /** Gemini task type, carried when a Gemini front door asked for one. */
  taskType?: string;
}
