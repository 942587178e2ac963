// The request pipeline, composed. Each line is one stage from DESIGN.md "The request
// pipeline"; the stages live in their own modules. The key is checked before the body is
// parsed (stage 2 before the decode half of stage 1) so an unauthenticated caller cannot make
// the gateway parse a large JSON body.
import { emptyUsage, type CompiledCredential } from '@switchyard/compiler';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatFrontDoor, EmbeddingsFrontDoor } from '../frontdoors/front-door.js';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import type { UpstreamFailure } from '../errors/upstream-failure.js';
import type { RuntimeBackend, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type { Admission } from './admit.js';
import { checkKeyActive, identifyKey } from './authenticate.js';
import { authorize } from './authorize.js';
import { lookUpCache, respondFromCache } from './cache-lookup.js';
import { callChat, callEmbeddings, type UpstreamCall } from './call-upstream.js';
import type { Exchange } from './exchange.js';
import { checkDeclaredLength, ingestChatRequest, ingestEmbeddingsRequest } from './ingress.js';
import { observe } from './observe.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { respondChat, respondEmbeddings, respondError, respondStream } from './respond.js';
import { callWithRetries, recordStreamFailure, type AttemptTarget, type RetryObserver, type RetryOptions } from './retry.js';
import { planRoutes } from './route.js';
import { settle } from './settle.js';

export async function handleChatRequest(deps: PipelineDeps, exchange: Exchange, frontDoor: ChatFrontDoor, context: FrontDoorContext): Promise<void> {
  let admission: Admission | undefined;
  deps.metrics.requestStarted();
  if (deps.tracer !== undefined) exchange.span = deps.tracer.startRequest(exchange, 'chat');
  try {
    const table = servingTable(deps, exchange);
    // 1. ingress, size check only: refuse what is too large before anything else
    checkDeclaredLength(exchange.req, deps.maxBodyBytes);
    // 2. authenticate
    const key = (exchange.key = identifyKey(table, exchange.req.headers));
    checkKeyActive(key, Date.now());
    context.keyId = key.id;
    // 1. ingress: read, parse, decode
    const request = await ingestChatRequest(exchange.req, frontDoor, context, deps.maxBodyBytes);
    exchange.model = request.model;
    exchange.stream = request.stream;
    // 3. authorize
    const route = (exchange.route = authorize(key, request.model));
    // 4. admit
    admission = await deps.admission.admit({ key, route, request });
    exchange.admissionHeaders = admission.headers;
    // 5. cache
    // Checked here so routes without a cache pay no await on the hot path.
    const cache = route.compiled.cache === undefined ? undefined : await lookUpCache(deps, exchange, key, route, request);
    if (cache?.hit !== undefined) return await respondFromCache(exchange, frontDoor, cache.hit, request.model, context);
    // 6. route, 7. call, 8. retry / fall back
    const observer = retryObserver(deps, exchange);
    const { result, target } = await callWithRetries(planRoutes(key, route), (t) => callChat(upstreamCall(deps, exchange, t), request), retryOptions(exchange, observer, deps.random));
    answeredBy(exchange, target);
    // 10. respond
    if (result.kind === 'complete') {
      exchange.usage = result.response.usage;
      exchange.span?.responseModel(result.response.model);
      respondChat(exchange, frontDoor, result.response, request.model, context);
      if (cache !== undefined) await cache.store(exchange, result.response);
    } else {
      const start = result.stream.first[0];
      if (start?.type === 'response_start') exchange.span?.responseModel(start.model);
      exchange.usage = await respondStream(exchange, frontDoor, result.stream, request.model, context, cache?.streamTap());
      if (exchange.streamFailure !== undefined) recordStreamFailure(target, exchange.streamFailure, observer);
      if (cache !== undefined) await cache.store(exchange);
    }
  } catch (error) {
    respondError(exchange, frontDoor.encodeError.bind(frontDoor), error);
  } finally {
    // 9. settle
    settle(deps, exchange, admission);
    // 10. observe
    observe(deps, exchange, 'chat');
  }
}

export async function handleEmbeddingsRequest(deps: PipelineDeps, exchange: Exchange, frontDoor: ChatFrontDoor & EmbeddingsFrontDoor, context: FrontDoorContext): Promise<void> {
  let admission: Admission | undefined;
  deps.metrics.requestStarted();
  if (deps.tracer !== undefined) exchange.span = deps.tracer.startRequest(exchange, 'embeddings');
  try {
    const table = servingTable(deps, exchange);
    // 1. ingress, size check only
    checkDeclaredLength(exchange.req, deps.maxBodyBytes);
    // 2. authenticate
    const key = (exchange.key = identifyKey(table, exchange.req.headers));
    checkKeyActive(key, Date.now());
    // 1. ingress: read, parse, decode
    const request = await ingestEmbeddingsRequest(exchange.req, frontDoor, context, deps.maxBodyBytes);
    exchange.model = request.model;
    // 3. authorize
    const route = (exchange.route = authorize(key, request.model));
    // 4. admit
    admission = await deps.admission.admit({ key, route, request });
    exchange.admissionHeaders = admission.headers;
    // 6. route, 7. call, 8. retry / fall back
    const observer = retryObserver(deps, exchange);
    const { result, target } = await callWithRetries(planRoutes(key, route), (t) => callEmbeddings(upstreamCall(deps, exchange, t), request), retryOptions(exchange, observer, deps.random));
    answeredBy(exchange, target);
    exchange.usage = { ...emptyUsage(), inputTokens: result.usage.inputTokens };
    exchange.span?.responseModel(result.model);
    // 10. respond
    respondEmbeddings(exchange, frontDoor, result, request.model, context);
  } catch (error) {
    respondError(exchange, frontDoor.encodeError.bind(frontDoor), error);
  } finally {
    // 9. settle
    settle(deps, exchange, admission);
    // 10. observe
    observe(deps, exchange, 'embeddings');
  }
}

/** The table this request keeps to its end, whatever reloads happen meanwhile. */
function servingTable(deps: PipelineDeps, exchange: Exchange): RuntimeTable {
  const table = deps.tables.current;
  if (table === undefined) throw new GatewayError('no_backend', 'the gateway has not loaded a routing table yet', { code: 'not_ready' });
  exchange.table = table;
  return table;
}

function upstreamCall(deps: PipelineDeps, exchange: Exchange, target: AttemptTarget): UpstreamCall {
  return { transport: deps.transport, adapter: target.backend.adapter, target: target.backendTarget, timeouts: target.route.compiled.timeouts, clientSignal: exchange.clientAbort.signal };
}

function answeredBy(exchange: Exchange, target: AttemptTarget): void {
  exchange.route = target.route;
  exchange.backend = target.backend.name;
  exchange.pricing = target.backend.compiled.pricing;
}

function retryObserver(deps: PipelineDeps, exchange: Exchange): RetryObserver {
  return {
    attemptStarted(route: RuntimeRoute, backend: RuntimeBackend, credential: CompiledCredential | undefined) {
      exchange.attemptCount += 1;
      deps.metrics.upstreamAttempt(route.id, backend.name);
      exchange.span?.attemptStarted(route, backend, credential);
    },
    attemptFailed(route: RuntimeRoute, backend: RuntimeBackend, failure: UpstreamFailure) {
      deps.metrics.upstreamError(route.id, backend.name, failure.kind);
      exchange.span?.attemptFailed(failure);
    },
    backendEjected(route: RuntimeRoute, backend: RuntimeBackend) {
      deps.metrics.backendEjected(route.id, backend.name);
      deps.logger.warn('backend ejected', { route: route.id, backend: backend.name, ejectionTimeMs: route.compiled.outlierDetection.ejectionTimeMs });
    },
  };
}

function retryOptions(exchange: Exchange, observer: RetryObserver, random: () => number): RetryOptions {
  return { clientSignal: exchange.clientAbort.signal, attempts: exchange.attempts, observer, random };
}
