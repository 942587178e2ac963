// The request's features as routing sees them (table/request-features.ts), read once per request
// before the first attempt: rules match on them, capabilities are checked against them, the
// cheapest strategy prices them, affinity keys the conversation by them.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { estimateChatPromptTokens, estimateInputOnlyTokens, isChatRequest } from '../governance/cost/estimate-prompt-tokens.js';
import type { RequestFeatures } from '../table/request-features.js';
import { tokenFamilyOf, type TokenFamily } from '../governance/cost/prompt-token-families.js';
import { contextWindowTokens } from '../governance/cost/tokenized-prompt-tokens.js';
import type { RuntimeBackend, RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';
import type { CallerFormat } from '../unified/front-door-codec.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedRerankRequest } from '../unified/rerank.js';
import { isImageRequest, type UnifiedImageRequest } from '../unified/images.js';
import { isAudioRequest, type UnifiedAudioRequest } from '../unified/audio.js';

const TAGS_HEADER = 'x-switchyard-tags';
const SESSION_HEADER = 'x-switchyard-session';
/** Most tags read from the header; more are ignored (a rule names at most 16). */
const MAX_TAGS = 32;
const MAX_SESSION_CHARS = 512;

const NO_TAGS: ReadonlySet<string> = new Set();
const NO_ENTRIES: Readonly<Record<string, string>> = Object.freeze({});

/** What a request without messages (embeddings, rerank, images, audio) offers the rules: no tools, images, schema or conversation. */
function promptlessFeatures(
  tags: ReadonlySet<string>,
  keyLabels: Readonly<Record<string, string>>,
  frontDoor: CallerFormat,
): Omit<RequestFeatures, 'promptTokens' | 'contextTokens'> {
  return {
    tags,
    metadata: NO_ENTRIES,
    maxOutputTokens: undefined,
    outputTokens: () => 0,
    hasTools: false,
    hasImages: false,
    jsonSchema: false,
    reasoning: false,
    frontDoor,
    keyLabels,
    conversation: undefined,
    cachedContent: undefined,
  };
}

export function routingFeatures(
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest,
  headers: IncomingHttpHeaders,
  key: RuntimeKey,
  frontDoor: CallerFormat,
): RequestFeatures {
  const tags = readTags(headers[TAGS_HEADER]);
  const keyLabels = key.compiled.labels;
  if (isAudioRequest(request)) {
    // Audio has no prompt in tokens and no context window to check a backend against.
    return { ...promptlessFeatures(tags, keyLabels, frontDoor), promptTokens: 0, contextTokens: () => 0 };
  }
  if (!isChatRequest(request)) {
    const counted = new Map<TokenFamily, number>();
    return {
      ...promptlessFeatures(tags, keyLabels, frontDoor),
      promptTokens: estimateInputOnlyTokens(request),
      // A rerank keeps its pair bound: a reranker's window applies per query-document pair.
      // An image prompt is bounded by its bytes too: image models' context windows are not in the catalog.
      contextTokens: (backend) =>
        'documents' in request || isImageRequest(request) ? estimateInputOnlyTokens(request) : contextTokensOf(request, backend, counted),
    };
  }
  return new ChatFeatures(request, headers, key, frontDoor, tags);
}

/**
 * A chat request's features. The prompt estimate and the conversation digest cost a pass over the
 * prompt, so each is computed on first use: a route without rules, capabilities, cheapest or
 * affinity never pays for them.
 */
class ChatFeatures implements RequestFeatures {
  readonly metadata: Readonly<Record<string, string>>;
  readonly maxOutputTokens: number | undefined;
  readonly hasTools: boolean;
  readonly jsonSchema: boolean;
  readonly reasoning: boolean;
  readonly keyLabels: Readonly<Record<string, string>>;
  readonly cachedContent: string | undefined;
  private prompt: number | undefined;
  private images: boolean | undefined;
  private conversationKey: string | null | undefined;
  /** Context-window counts by tokenizer family, each computed once. */
  private readonly countedByFamily = new Map<TokenFamily, number>();

  constructor(
    private readonly request: UnifiedChatRequest,
    private readonly headers: IncomingHttpHeaders,
    private readonly key: RuntimeKey,
    readonly frontDoor: CallerFormat,
    readonly tags: ReadonlySet<string>,
  ) {
    this.metadata = request.routingHints?.metadata ?? NO_ENTRIES;
    this.maxOutputTokens = request.maxOutputTokens;
    this.hasTools = (request.tools?.length ?? 0) > 0;
    this.jsonSchema = request.responseFormat?.type === 'json_schema';
    this.reasoning = request.reasoning !== undefined;
    this.keyLabels = key.compiled.labels;
    this.cachedContent = request.providerOptions?.gemini?.cachedContent;
  }

  get promptTokens(): number {
    this.prompt ??= estimateChatPromptTokens(this.request);
    return this.prompt;
  }

  get hasImages(): boolean {
    this.images ??= hasImages(this.request);
    return this.images;
  }

  get conversation(): string | undefined {
    if (this.conversationKey === undefined) this.conversationKey = conversationOf(this.request, this.headers, this.key) ?? null;
    return this.conversationKey ?? undefined;
  }

  outputTokens(route: RuntimeRoute): number {
    return this.maxOutputTokens ?? route.compiled.defaultMaxTokens;
  }

  contextTokens(backend: RuntimeBackend): number {
    return contextTokensOf(this.request, backend, this.countedByFamily);
  }
}

function contextTokensOf(
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest,
  backend: RuntimeBackend,
  counted: Map<TokenFamily, number>,
): number {
  const family = tokenFamilyOf(backend.compiled.provider, backend.compiled.model);
  let tokens = counted.get(family);
  if (tokens === undefined) {
    tokens = contextWindowTokens(request, family);
    counted.set(family, tokens);
  }
  return tokens;
}

function readTags(header: string | string[] | undefined): ReadonlySet<string> {
  if (header === undefined) return NO_TAGS;
  const tags = new Set<string>();
  for (const value of Array.isArray(header) ? header : [header]) {
    for (const part of value.split(',')) {
      const tag = part.trim();
      if (tag.length > 0 && tags.size < MAX_TAGS) tags.add(tag);
    }
  }
  return tags;
}

function hasImages(request: UnifiedChatRequest): boolean {
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'image') return true;
      if (part.type === 'tool_result' && part.content.some((inner) => inner.type === 'image')) return true;
    }
  }
  return false;
}

/**
 * The conversation for affinity, in the order the caller is most explicit: a Gemini context
 * cache's name (the cache decides the backend), prompt_cache_key,
 * the session header, the end-user id, else a digest of what stays the same across a
 * conversation's turns (system prompt, tools, first user message). Scoped to the key's
 * namespace so two tenants' identical prompts are two conversations.
 */
function conversationOf(request: UnifiedChatRequest, headers: IncomingHttpHeaders, key: RuntimeKey): string | undefined {
  const scope = key.compiled.namespace;
  // A context cache lives in one project: every request reading it goes where the first one did.
  const cachedContent = request.providerOptions?.gemini?.cachedContent;
  if (cachedContent !== undefined) return `${scope}\u0000cachedContent\u0000${cachedContent}`;
  const cacheKey = request.routingHints?.promptCacheKey;
  if (cacheKey !== undefined) return `${scope}\u0000pck\u0000${cacheKey}`;
  const session = headers[SESSION_HEADER];
  if (typeof session === 'string' && session.length > 0 && session.length <= MAX_SESSION_CHARS)
    return `${scope}\u0000session\u0000${session}`;
  if (request.user !== undefined) return `${scope}\u0000user\u0000${request.user}`;
  const hash = createHash('sha256');
  hash.update(scope);
  let firstUser = false;
  for (const message of request.messages) {
    if (message.role === 'system') hash.update(`\u0000system\u0000${JSON.stringify(message.content)}`);
    else if (message.role === 'user' && !firstUser) {
      firstUser = true;
      hash.update(`\u0000user\u0000${JSON.stringify(message.content)}`);
    }
  }
  if (request.tools !== undefined) hash.update(`\u0000tools\u0000${JSON.stringify(request.tools)}`);
  return `${scope}\u0000prefix\u0000${hash.digest('base64url')}`;
}
