// The request pipeline, composed: every front-door endpoint runs through `runOperation`, whose
// lines are the stages in order. Which stages an operation runs is declared in operations.ts
// (a model list reads no body and calls no upstream); the hook lists below are where checks
// and stream transformers are added: one module, one line here (docs/architecture.md, "The
// request pipeline").
//
// The key is checked before the body is parsed (authenticate before the decode half of
// ingress) so an unauthenticated caller cannot make the gateway parse a large JSON body.
import type { CompiledCredential, CompiledTimeouts } from '@switchyard/compiler';
import { GatewayError } from '../errors/gateway-error.js';
import { reflected } from '../errors/reflected-input.js';
import type { FrontDoorEndpoint } from '../frontdoors/front-door.js';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import type { UpstreamFailure } from '../errors/upstream-failure.js';
import { planRoutes } from '../table/plan-routes.js';
import type { RuntimeBackend, RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import type { UnifiedRerankRequest } from '../unified/rerank.js';
import type { UnifiedImageRequest } from '../unified/images.js';
import { imagesOperation } from './images-operation.js';
import type { UnifiedAudioRequest } from '../unified/audio.js';
import { createAudioOperations } from './audio-operations.js';
import type { Admission } from '../governance/admission-control.js';
import { checkKeyActive, identifyKey } from './authenticate.js';
import { auditAnswerCheck, auditAnswerStreamStage, auditPromptCheck } from './audit-content.js';
import { authorize } from './authorize.js';
import { tapForResponseCache } from './cache-lookup.js';
import { callChat, type UpstreamCall } from './call-upstream.js';
import { countStreamUsage } from './count-stream-usage.js';
import type { Exchange } from './exchange.js';
import { guardrailInputCheck, guardrailOutputCheck, guardrailStreamStage } from './guardrails/guardrail-stages.js';
import { createWebhookPoster } from './guardrails/webhook-transport.js';
import { checkDeclaredLength } from './ingress.js';
import { auditToolCall, createMcpGateway, createMcpOperation, type McpGateway } from './mcp-operation.js';
import { createBatchOperation, defaultBatchServices } from './batches/batch-operation.js';
import { mcpToolGuard } from './guardrails/mcp-tool-guard.js';
import { offerHostedTools, type HostedToolContext, type HostedToolLoop } from './hosted-tools.js';
import { createModerator } from './moderator.js';
import { observe } from './observe.js';
import { passthroughFor, stagesAllowPassthrough } from './passthrough.js';
import {
  chatOperation,
  countTokensOperation,
  embeddingsOperation,
  moderationsOperation,
  rerankOperation,
  getModelOperation,
  listModelsOperation,
  type OperationPlan,
} from './operations.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { respondError } from './respond.js';
import { callWithRetries, recordStreamFailure, type AttemptTarget, type RetryObserver, type RetryOptions } from './retry.js';
import { routingFeatures } from './routing-features.js';
import { handOver, type RequestFeatures } from '../table/request-features.js';
import type { CallerFormat } from '../unified/front-door-codec.js';
import { settle } from './settle.js';
import type { InputCheck, OutputCheck, PipelineStages, StreamStage } from './stages.js';

/** Input checks: on every decoded request, after authorize and before admit. Guardrails on prompts go here. */
const INPUT_CHECKS: readonly InputCheck[] = [guardrailInputCheck, auditPromptCheck];

/** Output checks: on every whole answer, before respond. */
const OUTPUT_CHECKS: readonly OutputCheck[] = [guardrailOutputCheck, auditAnswerCheck];

/** The stream chain, from the upstream's events to the front door's encoder. */
function streamStages(extra: readonly StreamStage[]): StreamStage[] {
  return [
    countStreamUsage, // first: it records what the upstream reported
    guardrailStreamStage, // holds back a window of answer text (docs/guardrails.md)
    ...extra,
    auditAnswerStreamStage, // the answer text for audit records, on routes that ask for it
    tapForResponseCache, // last: the cache keeps what the caller was sent
  ];
}

export interface Pipeline {
  run(exchange: Exchange, endpoint: FrontDoorEndpoint, context: FrontDoorContext): Promise<void>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const extra = deps.extraStages;
  const stages: PipelineStages = {
    inputChecks: [...INPUT_CHECKS, ...(extra?.inputChecks ?? [])],
    outputChecks: [...OUTPUT_CHECKS, ...(extra?.outputChecks ?? [])],
    streamStages: streamStages(extra?.streamStages ?? []),
    passthrough: (deps.passthrough ?? process.env.SWITCHYARD_PASSTHROUGH !== 'off') && stagesAllowPassthrough(extra),
  };
  const mcpGateway = createMcpGateway(deps);
  const mcp = createMcpOperation(deps, mcpGateway);
  const batches = createBatchOperation(deps, deps.batches ?? defaultBatchServices());
  const moderate = createModerator(deps);
  const postWebhook = createWebhookPoster(deps.transport);
  const audio = createAudioOperations(deps.maxAudioUploadBytes);
  return {
    run(exchange, endpoint, context) {
      exchange.moderate = moderate;
      exchange.postWebhook = postWebhook;
      switch (endpoint.operation) {
        case 'chat':
          return runOperation(deps, stages, mcpGateway, chatOperation, endpoint, exchange, context);
        case 'embeddings':
          return runOperation(deps, stages, mcpGateway, embeddingsOperation, endpoint, exchange, context);
        case 'moderations':
          return runOperation(deps, stages, mcpGateway, moderationsOperation, endpoint, exchange, context);
        case 'rerank':
          return runOperation(deps, stages, mcpGateway, rerankOperation, endpoint, exchange, context);
        case 'images':
          return runOperation(deps, stages, mcpGateway, imagesOperation, endpoint, exchange, context);
        case 'transcriptions':
        case 'translations':
        case 'speech':
          return runOperation(deps, stages, mcpGateway, audio[endpoint.operation], endpoint, exchange, context);
        case 'count-tokens':
          return runOperation(deps, stages, mcpGateway, countTokensOperation, endpoint, exchange, context);
        case 'list-models':
          return runOperation(deps, stages, mcpGateway, listModelsOperation, endpoint, exchange, context);
        case 'get-model':
          return runOperation(deps, stages, mcpGateway, getModelOperation, endpoint, exchange, context);
        case 'mcp':
          return mcp(deps, endpoint, exchange, context);
        case 'files':
        case 'batches':
          return batches(endpoint, exchange, context);
        case 'realtime':
          // Upgrades never reach here (server/realtime-upgrade.ts); a plain GET is told to upgrade.
          return refuseWithoutUpgrade(deps, endpoint, exchange);
      }
    },
  };
}

async function runOperation<
  E extends FrontDoorEndpoint,
  Request extends
    | UnifiedChatRequest
    | UnifiedEmbeddingsRequest
    | UnifiedRerankRequest
    | UnifiedImageRequest
    | UnifiedAudioRequest
    | undefined,
  Answer,
>(
  deps: PipelineDeps,
  stages: PipelineStages,
  mcpGateway: McpGateway,
  plan: OperationPlan<E, Request, Answer>,
  endpoint: E,
  exchange: Exchange,
  context: FrontDoorContext,
): Promise<void> {
  let admission: Admission | undefined;
  /** The hosted-tool loop of a chat request on a route with spec.mcp or naming MCP servers (hosted-tools.ts). */
  let hosted: HostedToolLoop | undefined;
  /** Ends the answering backend's in-flight count once the answer is delivered (or failed). */
  let release: (() => void) | undefined;
  /** What routing matches rules on: read before admission when a rule may hand the request over, else before the first attempt. */
  let features: RequestFeatures | undefined;
  /** The rule that handed the request to another route (spec.rules[].route). */
  let handOverRule: string | undefined;
  deps.metrics.requestStarted();
  if (deps.tracer !== undefined && plan.traced !== undefined) exchange.span = deps.tracer.startRequest(exchange, plan.traced);
  try {
    const table = servingTable(deps, exchange);
    // 1. ingress, size check only: refuse what is too large before anything else
    if (plan.readsBody) checkDeclaredLength(exchange.req, deps.maxBodyBytes);
    // 2. authenticate
    const identified = identifyKey(table, exchange, deps.tokens, (kind, result) => deps.metrics.tokenAuthentication(kind, result));
    const key = (exchange.key = identified instanceof Promise ? await identified : identified);
    checkKeyActive(key, Date.now());
    context.keyId = key.id;
    // 1. ingress: read, parse, decode
    const request = await plan.ingest(exchange, endpoint, context, deps.maxBodyBytes);
    let route: RuntimeRoute | undefined;
    if (request !== undefined) {
      // As the log line and the trace span show it: the caller's text, bounded.
      exchange.model = reflected(request.model);
      exchange.request = request;
      exchange.stream = plan.streams(request);
      // 3. authorize
      route = exchange.route = authorize(key, request.model);
      // a rule naming another route hands the request over before anything is checked, priced or cached
      if (route.handsOver === true && plan.call !== undefined) {
        features = routingFeatures(
          request as UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest,
          exchange.req.headers,
          key,
          wireFormat(plan, endpoint),
        );
        const handed = handOver(route, features, key);
        if (handed !== undefined) {
          route = exchange.route = handed.route;
          handOverRule = handed.rule;
        }
      }
      // input checks
      if (stages.inputChecks.length > 0) {
        const checking = runChecks(stages.inputChecks, plan.checked(request), exchange);
        if (checking !== undefined) await checking;
      }
      // hosted tools: the route's MCP tools and the MCP servers the caller named join the request
      // before it is admitted (their schemas are prompt tokens)
      if (plan.name === 'chat' && (route.compiled.mcp !== undefined || (request as UnifiedChatRequest).hostedMcp !== undefined))
        hosted = await offerHostedTools(hostedToolContext(deps, mcpGateway, exchange, table, key, route), request as UnifiedChatRequest);
      // 4. admit
      if (plan.admits) {
        // Admission answers synchronously unless a counter lives elsewhere (Redis): no await then.
        const admitting = deps.admission.admit({ key, route, request });
        const admitted = (admission = admitting instanceof Promise ? await admitting : admitting);
        exchange.admissionHeaders = admission.headers;
        exchange.settleBeforeLastByte = () => settle(deps, exchange, admitted);
      }
    }
    // 5. cache: checked here so routes without a cache pay no await on the hot path
    // (not for a hosted-tool loop: its answer depends on what the tools said this time)
    const cache =
      plan.cache !== undefined && route?.compiled.cache !== undefined && hosted === undefined
        ? await plan.cache.lookUp(deps, exchange, key, route, request)
        : undefined;
    let answer: Answer;
    let target: AttemptTarget | undefined;
    let observer: RetryObserver | undefined;
    if (cache?.hit !== undefined && plan.cache !== undefined) {
      answer = plan.cache.replay(cache.hit, exchange);
    } else if (plan.call !== undefined && route !== undefined) {
      // 6. route, 7. call, 8. retry / fall back
      const call = plan.call;
      observer = retryObserver(deps, exchange);
      features ??= routingFeatures(
        request as UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest,
        exchange.req.headers,
        key,
        wireFormat(plan, endpoint),
      );
      // 7a. passthrough: a same-dialect attempt forwards the caller's body and the upstream's answer (passthrough.ts)
      const passthrough =
        plan.name === 'chat'
          ? passthroughFor(stages.passthrough, exchange, request as UnifiedChatRequest, hosted !== undefined)
          : undefined;
      let rule: string | undefined;
      ({
        result: answer,
        target,
        rule,
        release,
      } = await callWithRetries(
        planRoutes(key, route),
        (t) => {
          const upstream = upstreamCall(deps, exchange, t);
          // Only chat offers hosted tools and the passthrough, and chat's answer is a ChatAnswer.
          if (hosted === undefined) return (passthrough?.(upstream, t) as Promise<Answer> | undefined) ?? call(upstream, request);
          return hosted.run((round) => callChat(upstream, round), request as UnifiedChatRequest) as Promise<Answer>;
        },
        retryOptions(exchange, observer, deps, features),
      ));
      // No attempt follows: the caller's parsed body (kept for the passthrough's retries) is not
      // needed while the answer is written, however long a stream takes.
      exchange.callerBody = undefined;
      // The target route's backend rule when one matched, else the rule that handed the request over.
      exchange.routingRule = rule ?? handOverRule;
      answeredBy(exchange, target);
      plan.record(exchange, answer);
    } else {
      answer = plan.answerHere(endpoint, request, key, table);
    }
    // output checks on whole answers (a stream's events pass the stream chain in respond)
    if (stages.outputChecks.length > 0) {
      const checking = runChecks(stages.outputChecks, plan.whole(answer), exchange);
      if (checking !== undefined) await checking;
    }
    // 10. respond
    if (cache !== undefined && cache.hit === undefined) cache.noteAnswered();
    const responding = plan.respond(exchange, endpoint, answer, request, context, stages, cache?.hit === undefined ? cache : undefined);
    if (responding !== undefined) await responding;
    if (target !== undefined && observer !== undefined && exchange.streamFailure !== undefined)
      recordStreamFailure(target, exchange.streamFailure, observer);
    if (cache !== undefined && cache.hit === undefined && plan.cache !== undefined) await plan.cache.store(cache, exchange, answer);
    release?.();
  } catch (error) {
    release?.();
    respondError(exchange, (gatewayError) => endpoint.frontDoor.encodeError(gatewayError), error);
  } finally {
    // 9. settle
    settle(deps, exchange, admission);
    // 10. observe
    observe(deps, exchange, plan.name);
  }
}

/** GET /v1/realtime without `Upgrade: websocket`: 400, in the OpenAI error format, through observe like any request. */
async function refuseWithoutUpgrade(
  deps: PipelineDeps,
  endpoint: Extract<FrontDoorEndpoint, { operation: 'realtime' }>,
  exchange: Exchange,
): Promise<void> {
  deps.metrics.requestStarted();
  const error = new GatewayError(
    'invalid_request',
    'GET /v1/realtime is a WebSocket endpoint: send the request with `Upgrade: websocket`',
    {
      code: 'upgrade_required',
      headers: { upgrade: 'websocket' },
    },
  );
  respondError(exchange, (gatewayError) => endpoint.frontDoor.encodeError(gatewayError), error);
  observe(deps, exchange, 'realtime');
}

/**
 * Runs the checks (input checks on the request, output checks on a whole answer) in order; a
 * Promise only once a check returns one. Checks with nothing to do (no guardrails on the key, no
 * audit content) return synchronously, so most requests pay neither an async frame nor a promise
 * here. No subject (an operation without a checked form): nothing to check.
 */
function runChecks<T>(
  checks: readonly ((subject: T, exchange: Exchange) => void | Promise<void>)[],
  subject: T | undefined,
  exchange: Exchange,
): Promise<void> | undefined {
  if (subject === undefined) return undefined;
  for (let i = 0; i < checks.length; i++) {
    const pending = checks[i]?.(subject, exchange);
    if (pending instanceof Promise) return finishChecks(pending, checks, i + 1, subject, exchange);
  }
  return undefined;
}

/** The rest of a check list once one check went asynchronous: each awaited in turn, as before. */
async function finishChecks<T>(
  pending: Promise<void>,
  checks: readonly ((subject: T, exchange: Exchange) => void | Promise<void>)[],
  from: number,
  subject: T,
  exchange: Exchange,
): Promise<void> {
  await pending;
  for (let i = from; i < checks.length; i++) await checks[i]?.(subject, exchange);
}

/** The table this request keeps to its end, whatever reloads happen meanwhile. */
export function servingTable(deps: PipelineDeps, exchange: Exchange): RuntimeTable {
  const table = deps.tables.current;
  if (table === undefined) throw new GatewayError('no_backend', 'the gateway has not loaded a routing table yet', { code: 'not_ready' });
  exchange.table = table;
  return table;
}

function hostedToolContext(
  deps: PipelineDeps,
  gateway: McpGateway,
  exchange: Exchange,
  table: RuntimeTable,
  key: RuntimeKey,
  route: RuntimeRoute,
): HostedToolContext {
  return {
    gateway,
    table,
    key,
    route,
    signal: exchange.clientGone.signal,
    identity: exchange.identity,
    toolGuard: mcpToolGuard(exchange),
    recordToolCall: (record) => auditToolCall(deps, record, exchange),
    admitRound: (n) => deps.admission.admitRound?.(key, n) ?? Promise.resolve(),
  };
}

/** Operations that call a route (chat, embeddings) are served by front doors with a wire format. */
function wireFormat(plan: { name: string }, endpoint: FrontDoorEndpoint): CallerFormat {
  const format = 'format' in endpoint.frontDoor ? endpoint.frontDoor.format : undefined;
  if (format === undefined) throw new Error(`operation ${plan.name} calls a route but its front door has no wire format`);
  return format;
}

function upstreamCall(deps: PipelineDeps, exchange: Exchange, target: AttemptTarget): UpstreamCall {
  return {
    transport: deps.transport,
    adapter: target.backend.adapter,
    target: target.backendTarget,
    timeouts: attemptTimeouts(exchange, target),
    clientSignal: exchange.clientGone,
  };
}

/** The backend's timeouts (else its route's), with the calling key's overrides (VirtualKey spec.timeouts) on top. */
function attemptTimeouts(exchange: Exchange, target: AttemptTarget): CompiledTimeouts {
  const timeouts = target.backend.compiled.timeouts ?? target.route.compiled.timeouts;
  const overrides = exchange.key?.compiled.timeouts;
  if (overrides === undefined) return timeouts;
  // The merge is the same object while the key's overrides and the backend's timeouts are, so
  // what is cached per timeouts object downstream (call-upstream.ts) is not built per request.
  const last = mergedTimeouts.get(overrides);
  if (last !== undefined && last.base === timeouts) return last.merged;
  const merged: CompiledTimeouts = Object.freeze({ ...timeouts, ...overrides });
  mergedTimeouts.set(overrides, { base: timeouts, merged });
  return merged;
}

/** The last merge per key's overrides (compiled objects of the table: freed with it). */
const mergedTimeouts = new WeakMap<object, { base: CompiledTimeouts; merged: CompiledTimeouts }>();

export function answeredBy(exchange: Exchange, target: AttemptTarget): void {
  exchange.route = target.route;
  exchange.backend = target.backend.name;
  exchange.pricing = target.backend.compiled.pricing;
}

export function retryObserver(deps: PipelineDeps, exchange: Exchange): RetryObserver {
  return new ExchangeRetryObserver(deps, exchange);
}

/** A class rather than an object of closures: one allocation per request instead of four. */
class ExchangeRetryObserver implements RetryObserver {
  constructor(
    private readonly deps: PipelineDeps,
    private readonly exchange: Exchange,
  ) {}

  attemptStarted(route: RuntimeRoute, backend: RuntimeBackend, credential: CompiledCredential | undefined): void {
    this.exchange.attemptCount += 1;
    this.deps.metrics.upstreamAttempt(route.id, backend.name);
    this.exchange.span?.attemptStarted(route, backend, credential);
  }

  attemptFailed(route: RuntimeRoute, backend: RuntimeBackend, failure: UpstreamFailure): void {
    this.deps.metrics.upstreamError(route.id, backend.name, failure.kind);
    this.exchange.span?.attemptFailed(failure);
  }

  backendEjected(route: RuntimeRoute, backend: RuntimeBackend): void {
    this.deps.metrics.backendEjected(route.id, backend.name);
    this.deps.logger.warn('backend ejected', {
      route: route.id,
      backend: backend.name,
      ejectionTimeMs: route.compiled.outlierDetection.ejectionTimeMs,
    });
  }
}

function retryOptions(exchange: Exchange, observer: RetryObserver, deps: PipelineDeps, features: RequestFeatures): RetryOptions {
  return {
    clientSignal: exchange.clientGone,
    attempts: exchange.attempts,
    observer,
    random: deps.random,
    features,
    affinity: deps.tables.affinity,
    keyFirstByteMs: exchange.key?.compiled.timeouts?.firstByteMs,
  };
}
