// What a moderation check calls: the key's moderation model, in-process through the stages a
// /v1/moderations request runs after authenticate (authorize, route, call, retry and fall back),
// not over loopback. In-process, the call needs no listener address, TLS or credential of its
// own, costs no socket or HTTP parse, and cannot be refused by the caller's connection limits;
// it is authorized as the caller's key (which must be allowed the moderation model) but not
// admitted (no rate-limit or budget charge, like the webhook call) and gets no log line of its
// own: the guardrail decision on the request's line records it.
import type { CompiledCredential } from '@switchyard/compiler';
import type { UpstreamFailure } from '../errors/upstream-failure.js';
import { planRoutes } from '../table/plan-routes.js';
import type { RuntimeBackend, RuntimeRoute } from '../table/runtime-table.js';
import type { UnifiedModerationsRequest } from '../unified/moderations.js';
import { authorize } from './authorize.js';
import { callModerations } from './call-upstream.js';
import type { Moderator } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { callWithRetries, type RetryObserver } from './retry.js';
import { routingFeatures } from './routing-features.js';

export function createModerator(deps: PipelineDeps): Moderator {
  // Upstream metrics count the moderation attempts like any other, under the moderation route.
  const observer: RetryObserver = {
    attemptStarted: (route: RuntimeRoute, backend: RuntimeBackend, _credential: CompiledCredential | undefined) =>
      deps.metrics.upstreamAttempt(route.id, backend.name),
    attemptFailed: (route: RuntimeRoute, backend: RuntimeBackend, failure: UpstreamFailure) =>
      deps.metrics.upstreamError(route.id, backend.name, failure.kind),
    backendEjected: (route: RuntimeRoute, backend: RuntimeBackend) => deps.metrics.backendEjected(route.id, backend.name),
  };
  return async (exchange, model, texts, signal) => {
    const key = exchange.key;
    if (key === undefined) throw new Error('a moderation check ran before authenticate');
    const route = authorize(key, model);
    const request: UnifiedModerationsRequest = { model, input: texts, single: false };
    const outcome = await callWithRetries(
      planRoutes(key, route),
      (target) =>
        callModerations(
          {
            transport: deps.transport,
            adapter: target.backend.adapter,
            target: target.backendTarget,
            timeouts: target.route.compiled.timeouts,
            clientSignal: signal,
          },
          request,
        ),
      {
        clientSignal: signal,
        attempts: [],
        observer,
        random: deps.random,
        features: routingFeatures(request, exchange.req.headers, key, 'openai'),
      },
    );
    outcome.release();
    return outcome.result;
  };
}
