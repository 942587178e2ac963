// The semantic cache's embedding call: the last user turn to the route's embeddingModel,
// in-process through the stages a /v1/embeddings request of the same key runs after
// authenticate (admit, route, call, retry and fall back, settle), not over loopback, for the
// reasons moderator.ts gives (no listener address, TLS or credential of its own, no socket or
// HTTP parse). Unlike a moderation check it is admitted and settled as the key's own embeddings
// request: rate limits and budgets count it, its cost is charged whether the lookup hits or
// misses, and the usage and cost metrics show it under the embedding route and the key. The key
// needs no allow-list entry for the embedding model: the chat route's owner chose it, as they
// chose the chat route's backends. Any failure (refused admission, upstream error) leaves the
// request without a semantic lookup, never failed: the reason goes to the log line.
import { emptyUsage, type CompiledPricing, type Usage } from '@switchyard/compiler';
import { GatewayError } from '../errors/gateway-error.js';
import { computeCostNanos } from '../governance/cost/compute-cost.js';
import { planRoutes } from '../table/plan-routes.js';
import type { RuntimeKey } from '../table/runtime-table.js';
import type { UnifiedEmbeddingsRequest } from '../unified/chat-request.js';
import { callEmbeddings } from './call-upstream.js';
import type { Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { callWithRetries, type RetryObserver } from './retry.js';
import { routingFeatures } from './routing-features.js';

export type EmbeddingResult =
  | { vector: readonly number[] }
  | { failed: 'embedding_route_missing' | 'embedding_refused' | 'embedding_failed' };

export async function embedForCache(
  deps: PipelineDeps,
  exchange: Exchange,
  key: RuntimeKey,
  embeddingRouteId: string,
  text: string,
): Promise<EmbeddingResult> {
  const route = exchange.table?.routes.get(embeddingRouteId);
  if (route === undefined) return { failed: 'embedding_route_missing' };
  const request: UnifiedEmbeddingsRequest = { model: route.model, input: [text] };
  let admission: Awaited<ReturnType<PipelineDeps['admission']['admit']>>;
  try {
    admission = await deps.admission.admit({ key, route, request });
  } catch (error) {
    if (error instanceof GatewayError) return { failed: 'embedding_refused' };
    throw error;
  }
  let usage: Usage | undefined;
  let costNanos: bigint | undefined;
  try {
    const outcome = await callWithRetries(
      planRoutes(key, route),
      (target) =>
        callEmbeddings(
          {
            transport: deps.transport,
            adapter: target.backend.adapter,
            target: target.backendTarget,
            timeouts: target.route.compiled.timeouts,
            clientSignal: exchange.clientGone.signal,
          },
          request,
        ),
      {
        clientSignal: exchange.clientGone.signal,
        attempts: [],
        observer: observer(deps),
        random: deps.random,
        features: routingFeatures(request, exchange.req.headers, key, 'openai'),
      },
    );
    outcome.release();
    usage = { ...emptyUsage(), inputTokens: outcome.result.usage.inputTokens };
    const pricing: CompiledPricing | undefined = outcome.target.backend.compiled.pricing;
    costNanos = pricing === undefined ? undefined : computeCostNanos(usage, pricing);
    const labels = { route: outcome.target.route.id, backend: outcome.target.backend.name, key: key.id };
    deps.metrics.usage(labels, usage);
    if (costNanos !== undefined) deps.costs?.costed(labels.route, labels.backend, labels.key, costNanos);
    const vector = outcome.result.embeddings[0];
    return vector === undefined ? { failed: 'embedding_failed' } : { vector };
  } catch (error) {
    // The caller went away: the request ends here, as it would have at its own upstream call.
    if (exchange.clientGone.signal.aborted) throw error;
    return { failed: 'embedding_failed' };
  } finally {
    admission.settle(usage, costNanos === undefined ? {} : { costNanos });
  }
}

/** Upstream metrics count the embedding attempts like any other, under the embedding route. */
function observer(deps: PipelineDeps): RetryObserver {
  return {
    attemptStarted: (route, backend) => deps.metrics.upstreamAttempt(route.id, backend.name),
    attemptFailed: (route, backend, failure) => deps.metrics.upstreamError(route.id, backend.name, failure.kind),
    backendEjected: (route, backend) => deps.metrics.backendEjected(route.id, backend.name),
  };
}
