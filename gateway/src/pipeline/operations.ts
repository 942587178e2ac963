// What each operation a front-door endpoint can declare runs of the pipeline (pipeline.ts): its
// request (if any), whether it is admitted and cached, whether it calls upstream or is answered
// in the gateway, and how the answer is recorded, checked and sent. A stage an operation does
// not need is skipped here, by declaration: a model list reads no body, admits nothing and
// calls nothing.
import { emptyUsage } from '@switchyard/compiler';
import type { CachedAnswer } from '../cache/cached-answer.js';
import type { EndpointOperation, FrontDoorEndpoint } from '../frontdoors/front-door.js';
import type { ModelCatalog } from '../unified/front-door-codec.js';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import type { GenAiOperation } from '../observe/tracing/request-tracer.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedEmbeddingsResponse } from '../unified/chat-response.js';
import type { UnifiedModerationsRequest, UnifiedModerationsResponse } from '../unified/moderations.js';
import type { UnifiedRerankRequest, UnifiedRerankResponse } from '../unified/rerank.js';
import type { UnifiedImageRequest } from '../unified/images.js';
import type { UnifiedAudioRequest } from '../unified/audio.js';
import { estimateRerankInputTokens } from '../governance/cost/estimate-prompt-tokens.js';
import { answerFromCache, cachedStream, lookUpCache, type CacheSession } from './cache-lookup.js';
import { callChat, callEmbeddings, callModerations, callRerank, type ChatAnswer, type UpstreamCall } from './call-upstream.js';
import type { Exchange } from './exchange.js';
import {
  ingestCountTokensRequest,
  ingestEmbeddingsRequest,
  ingestModerationsRequest,
  ingestRerankRequest,
  parseRequestBody,
  readRequestBody,
} from './ingress.js';
import { modelCatalog } from './model-catalog.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { respondChat, respondEmbeddings, respondJson, respondPassthrough, respondPassthroughStream, respondStream } from './respond.js';
import { streamChain, type CheckedRequest, type PipelineStages, type WholeAnswer } from './stages.js';

export type Endpoint<Operation extends EndpointOperation> = Extract<FrontDoorEndpoint, { operation: Operation }>;

type UnifiedRequest = UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest;

/** The response cache's part in an operation it can answer. */
interface CachePlan<Request, Answer> {
  lookUp(deps: PipelineDeps, exchange: Exchange, key: RuntimeKey, route: RuntimeRoute, request: Request): Promise<CacheSession | undefined>;
  /** A stored answer in the operation's answer shape (streamed when the caller asked for a stream). */
  replay(hit: CachedAnswer, exchange: Exchange): Answer;
  store(session: CacheSession, exchange: Exchange, answer: Answer): Promise<void>;
}

export interface OperationPlan<E extends FrontDoorEndpoint, Request extends UnifiedRequest | undefined, Answer> {
  /** The log line's `operation`. */
  readonly name: EndpointOperation;
  /** The span's `gen_ai.operation.name`; undefined: no span (nothing is generated). */
  readonly traced: GenAiOperation | undefined;
  /** 1. ingress: whether a body is read (refused by its declared size before authenticate). */
  readonly readsBody: boolean;
  /** 1. ingress: read and decode; a request whose model is then authorized, or undefined when there is none. */
  ingest(exchange: Exchange, endpoint: E, context: FrontDoorContext, maxBodyBytes: number): Request | Promise<Request>;
  /** Whether the caller asked for a stream. */
  streams(request: Request): boolean;
  /** The request as input checks see it. */
  checked(request: Request): CheckedRequest | undefined;
  /** 4. admit: rate limits and budgets. */
  readonly admits: boolean;
  /** 5. cache. */
  readonly cache: CachePlan<Request, Answer> | undefined;
  /** 7. call: one upstream attempt, retried and fallen back by stage 8; undefined: answered in the gateway. */
  readonly call: ((call: UpstreamCall, request: Request) => Promise<Answer>) | undefined;
  /** The answer of an operation that calls no upstream. */
  answerHere(endpoint: E, request: Request, key: RuntimeKey, table: RuntimeTable): Answer;
  /** What an upstream answer tells settle and observe (usage, the model that answered). */
  record(exchange: Exchange, answer: Answer): void;
  /** The answer as output checks see it; undefined for a stream (its events pass the stream chain). */
  whole(answer: Answer): WholeAnswer | undefined;
  /** 10. respond: returns a promise only while it is still writing (a stream). */
  respond(
    exchange: Exchange,
    endpoint: E,
    answer: Answer,
    request: Request,
    context: FrontDoorContext,
    stages: PipelineStages,
    cache: CacheSession | undefined,
  ): void | Promise<void>;
}

export function noLocalAnswer(): never {
  throw new Error('this operation is answered upstream');
}

function noUpstreamAnswer(): void {}

export const chatOperation: OperationPlan<Endpoint<'chat'>, UnifiedChatRequest, ChatAnswer> = {
  name: 'chat',
  traced: 'chat',
  readsBody: true,
  async ingest(exchange, endpoint, context, maxBodyBytes) {
    const body = parseRequestBody(await readRequestBody(exchange.req, maxBodyBytes));
    // Kept for the passthrough fast path (passthrough.ts): the OpenAI door's body is what an
    // OpenAI-dialect backend takes. The decode below reads it and never changes it.
    if (endpoint.frontDoor.format === 'openai') exchange.callerBody = body;
    return endpoint.frontDoor.decodeChatRequest(body, context);
  },
  streams: (request) => request.stream,
  checked: (request) => ({ operation: 'chat', request }),
  admits: true,
  cache: {
    lookUp: lookUpCache,
    replay(hit, exchange) {
      answerFromCache(exchange, hit);
      return exchange.stream ? { kind: 'stream', stream: cachedStream(hit) } : { kind: 'complete', response: hit.response };
    },
    // Routes with a cache never take the passthrough (passthrough.ts): its answers are not unified.
    store: (session, exchange, answer) => session.store(exchange, answer.kind === 'complete' ? answer.response : undefined),
  },
  call: callChat,
  answerHere: noLocalAnswer,
  record(exchange, answer) {
    switch (answer.kind) {
      case 'complete':
        exchange.usage = answer.response.usage;
        exchange.span?.responseModel(answer.response.model);
        break;
      case 'stream': {
        const start = answer.stream.first[0];
        if (start?.type === 'response_start') exchange.span?.responseModel(start.model);
        break;
      }
      case 'passthrough':
        exchange.usage = answer.completion.usage;
        exchange.span?.responseModel(answer.completion.model);
        break;
      case 'passthrough-stream':
        if (answer.stream.rewriter.model !== undefined) exchange.span?.responseModel(answer.stream.rewriter.model);
        break;
    }
  },
  whole: (answer) => (answer.kind === 'complete' ? { operation: 'chat', response: answer.response } : undefined),
  respond(exchange, endpoint, answer, request, context, stages, cache) {
    switch (answer.kind) {
      case 'complete':
        return respondChat(exchange, endpoint.frontDoor, answer.response, request.model, context);
      case 'stream':
        return respondStream(
          exchange,
          endpoint.frontDoor,
          answer.stream,
          request.model,
          context,
          streamChain(stages.streamStages, exchange, cache),
        );
      case 'passthrough':
        return respondPassthrough(exchange, answer.completion.body);
      case 'passthrough-stream':
        return respondPassthroughStream(exchange, endpoint.frontDoor, answer.stream, request.model, context);
    }
  },
};

export const embeddingsOperation: OperationPlan<Endpoint<'embeddings'>, UnifiedEmbeddingsRequest, UnifiedEmbeddingsResponse> = {
  name: 'embeddings',
  traced: 'embeddings',
  readsBody: true,
  ingest: (exchange, endpoint, context, maxBodyBytes) => ingestEmbeddingsRequest(exchange.req, endpoint.frontDoor, context, maxBodyBytes),
  streams: () => false,
  checked: (request) => ({ operation: 'embeddings', request }),
  admits: true,
  cache: undefined,
  call: callEmbeddings,
  answerHere: noLocalAnswer,
  record(exchange, answer) {
    exchange.usage = { ...emptyUsage(), inputTokens: answer.usage.inputTokens };
    exchange.span?.responseModel(answer.model);
  },
  whole: (answer) => ({ operation: 'embeddings', response: answer }),
  respond: (exchange, endpoint, answer, request, context) =>
    respondEmbeddings(exchange, endpoint.frontDoor, answer, request.model, context),
};

/**
 * OpenAI's /v1/moderations, routed like embeddings (authorized, admitted on its input tokens,
 * retried and fallen back). Guardrails do not check it: it is what a moderation check calls, and
 * a classifier needs the text it is asked about.
 */
export const moderationsOperation: OperationPlan<Endpoint<'moderations'>, UnifiedModerationsRequest, UnifiedModerationsResponse> = {
  name: 'moderations',
  traced: undefined,
  readsBody: true,
  ingest: (exchange, endpoint, context, maxBodyBytes) => ingestModerationsRequest(exchange.req, endpoint.frontDoor, context, maxBodyBytes),
  streams: () => false,
  checked: () => undefined,
  admits: true,
  cache: undefined,
  call: callModerations,
  answerHere: noLocalAnswer,
  record(exchange, answer) {
    exchange.usage = emptyUsage();
    exchange.span?.responseModel(answer.model);
  },
  whole: () => undefined,
  respond: (exchange, endpoint, answer, request) =>
    respondJson(exchange, endpoint.frontDoor.encodeModerationsResponse(answer, request.model)),
};

/**
 * /v1/rerank, routed like embeddings: authorized, admitted on its input-token estimate (every
 * query-document pair), retried and fallen back, never cached. Guardrails do not check it: the
 * documents are a retrieval system's corpus rather than a prompt, and a rerank answer holds no
 * text of its own (only indexes and scores; a `return_documents` answer echoes the caller's
 * texts). Usage is the upstream's token count; an upstream that reports none (Cohere bills
 * search units) is charged the gateway's estimate, marked `usageEstimated` (docs/governance.md, "Rerank and search units").
 */
export const rerankOperation: OperationPlan<Endpoint<'rerank'>, UnifiedRerankRequest, UnifiedRerankResponse> = {
  name: 'rerank',
  traced: 'rerank',
  readsBody: true,
  ingest: (exchange, endpoint, context, maxBodyBytes) => ingestRerankRequest(exchange.req, endpoint.frontDoor, context, maxBodyBytes),
  streams: () => false,
  checked: () => undefined,
  admits: true,
  cache: undefined,
  call: callRerank,
  answerHere: noLocalAnswer,
  record(exchange, answer) {
    const request = exchange.request as UnifiedRerankRequest;
    exchange.usage = { ...emptyUsage(), inputTokens: answer.inputTokens ?? estimateRerankInputTokens(request) };
    exchange.usageEstimated = answer.inputTokens === undefined;
    if (answer.searchUnits !== undefined) exchange.searchUnits = answer.searchUnits;
    exchange.span?.responseModel(answer.model);
  },
  whole: () => undefined,
  respond: (exchange, endpoint, answer, request) =>
    respondJson(exchange, endpoint.frontDoor.encodeRerankResponse(answer, request, `rerank-${exchange.requestId}`)),
};

/** The gateway's own estimate: authorized like a real request, never admitted or sent upstream. */
export const countTokensOperation: OperationPlan<Endpoint<'count-tokens'>, UnifiedChatRequest, number> = {
  name: 'count-tokens',
  traced: undefined,
  readsBody: true,
  ingest: (exchange, endpoint, context, maxBodyBytes) => ingestCountTokensRequest(exchange.req, endpoint.codec, context, maxBodyBytes),
  streams: () => false,
  checked: (request) => ({ operation: 'count-tokens', request }),
  admits: false,
  cache: undefined,
  call: undefined,
  answerHere: (endpoint, request) => endpoint.codec.estimateInputTokens(request),
  record: noUpstreamAnswer,
  whole: (inputTokens) => ({ operation: 'count-tokens', inputTokens }),
  respond: (exchange, endpoint, inputTokens, _request, context) =>
    respondJson(exchange, endpoint.codec.encodeCountTokensResponse(inputTokens, context)),
};

function modelsOperation(name: 'list-models' | 'get-model'): OperationPlan<Endpoint<'list-models' | 'get-model'>, undefined, ModelCatalog> {
  return {
    name,
    traced: undefined,
    readsBody: false,
    ingest: () => undefined,
    streams: () => false,
    checked: () => undefined,
    admits: false,
    cache: undefined,
    call: undefined,
    answerHere: (_endpoint, _request, key, table) => modelCatalog(table, key),
    record: noUpstreamAnswer,
    whole: (models) => ({ operation: name, models }),
    respond(exchange, endpoint, catalog, _request, context) {
      respondJson(
        exchange,
        name === 'list-models' ? endpoint.codec.encodeModelList(catalog, context) : endpoint.codec.encodeModel(catalog, context),
      );
    },
  };
}

/** The key's models: authenticated, no body, nothing admitted or called. */
export const listModelsOperation = modelsOperation('list-models');
/** One of the key's models; one it may not use is the front door's 404. */
export const getModelOperation = modelsOperation('get-model');
