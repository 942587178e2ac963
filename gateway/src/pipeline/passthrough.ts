// The passthrough fast path of stage 7: when the caller's format is the backend's dialect (the
// OpenAI Chat Completions door in front of an adapter with `chatPassthrough`: openai and
// openai-compatible), the caller's parsed body goes up with only the fields the gateway must
// change (the backend's model, usage asked for on streams), and the answer comes back to the
// caller as the upstream's bytes: no encode from the unified request, no decode of the answer
// to the unified model and no encode of it again. The request is still decoded once at ingress
// (authorize, the routing rules, admission's token estimate and the input checks read it), and
// every other stage runs as on the normal path: auth, limits, budgets, metrics, the access log,
// traces, retries and fallback.
//
// This file is the one place that decides. The fast path is off, and the request takes the
// normal path, when any of these needs the answer (or the request) in the unified form:
// - guardrails on the key (GuardrailPolicy): they read, redact and restore prompt and answer text;
// - the response cache on the route (`spec.cache`, exact or semantic): it stores and replays unified answers;
// - hosted MCP tools (route `spec.mcp` or MCP servers the caller named): the gateway runs tool rounds on the answer;
// - audit content (`spec.audit.includeContent`): the record holds the answer's text;
// - stages added through PipelineDeps.extraStages (input and output checks, stream transformers);
// - per attempt, a backend whose adapter has no passthrough, or a body its dialect must translate
//   (the adapter's encode says so): that attempt alone takes the normal path, so a fallback
//   across dialects still works;
// - the switch: PipelineDeps.passthrough false (tests compare both paths with it; the
//   environment variable SWITCHYARD_PASSTHROUGH=off sets it for a gateway process).
import type { Exchange } from './exchange.js';
import type { ExtraStages } from './stages.js';
import type { AttemptTarget } from './retry.js';
import type { RuntimeRoute } from '../table/runtime-table.js';
import type { UnifiedChatRequest } from '../unified/chat-request.js';
import { guardrailsFor } from './guardrails/guardrail-set.js';
import { callChatPassthrough, type ChatAnswer, type UpstreamCall } from './call-upstream.js';

/** One attempt on the fast path, or undefined: this attempt takes the normal path. */
export type PassthroughAttempt = (call: UpstreamCall, target: AttemptTarget) => Promise<ChatAnswer> | undefined;

/**
 * Whether the composed stages leave the fast path open: stages added through extraStages see
 * unified answers, and an added input check may change the unified request the caller's body
 * would then no longer match.
 */
export function stagesAllowPassthrough(extra: ExtraStages | undefined): boolean {
  return (extra?.inputChecks?.length ?? 0) + (extra?.outputChecks?.length ?? 0) + (extra?.streamStages?.length ?? 0) === 0;
}

/** The fast path for this chat request, or undefined when it takes the normal path (the list above). */
export function passthroughFor(
  enabled: boolean,
  exchange: Exchange,
  request: UnifiedChatRequest,
  hostedTools: boolean,
): PassthroughAttempt | undefined {
  const body = exchange.callerBody;
  if (!enabled || body === undefined || hostedTools || !routeAllows(exchange, exchange.route)) return undefined;
  const includeUsage = request.stream ? callerWantsUsage(body) : undefined;
  return (call, target) => {
    const passthrough = call.adapter.kind === 'http' ? call.adapter.chatPassthrough : undefined;
    // A fallback route has its own cache, guardrails and audit settings.
    if (passthrough === undefined || (target.route !== exchange.route && !routeAllows(exchange, target.route))) return undefined;
    const upstreamRequest = passthrough.encode(body, call.target, request.stream);
    if (upstreamRequest === undefined) return undefined;
    return callChatPassthrough(call, passthrough, upstreamRequest, request.model, includeUsage);
  };
}

function routeAllows(exchange: Exchange, route: RuntimeRoute | undefined): boolean {
  if (route === undefined) return false;
  const compiled = route.compiled;
  return (
    compiled.cache === undefined &&
    compiled.mcp === undefined &&
    compiled.auditContent !== true &&
    guardrailsFor(exchange.table, exchange.key, route) === undefined
  );
}

/** `stream_options.include_usage` as the caller sent it (ingress already refused a malformed one). */
function callerWantsUsage(body: Readonly<Record<string, unknown>>): boolean {
  const options = body.stream_options;
  return typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
}
