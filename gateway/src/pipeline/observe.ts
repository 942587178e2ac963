// Stage 10b, observe: request metrics and one structured log line per request. The key is
// named by its id (namespace/name), never by anything derived from its value.
import { formatNanosAsUsd } from '@switchyard/compiler';
import type { EndpointOperation } from '../frontdoors/front-door.js';
import type { RequestLabels } from '../observe/metrics.js';
import type { Exchange } from './exchange.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { auditRecord } from './audit-record.js';

export function requestLabels(exchange: Exchange): RequestLabels {
  return { route: exchange.route?.id ?? '', backend: exchange.backend ?? '', key: exchange.key?.id ?? '' };
}

export function observe(deps: PipelineDeps, exchange: Exchange, operation: EndpointOperation): void {
  const finishedAt = performance.now();
  const labels = requestLabels(exchange);
  deps.metrics.requestFinished(labels, exchange.status, (finishedAt - exchange.startedAt) / 1000);
  if (exchange.firstEventAt !== undefined) deps.metrics.firstToken(labels, (exchange.firstEventAt - exchange.startedAt) / 1000);
  const fields: Record<string, unknown> = {
    requestId: exchange.requestId,
    operation,
    status: exchange.status,
    durationMs: Math.round((finishedAt - exchange.startedAt) * 1000) / 1000,
    key: labels.key || undefined,
    // Who called: the key's own secret, or a ServiceAccount or OIDC subject bound by the key.
    identity: exchange.identity,
    model: exchange.model,
    route: labels.route || undefined,
    backend: labels.backend || undefined,
    attempts: exchange.attemptCount,
    stream: exchange.stream,
  };
  if (exchange.routingRule !== undefined) fields.rule = exchange.routingRule;
  if (exchange.firstEventAt !== undefined)
    fields.timeToFirstTokenMs = Math.round((exchange.firstEventAt - exchange.startedAt) * 1000) / 1000;
  if (exchange.usage !== undefined) {
    fields.inputTokens = exchange.usage.inputTokens;
    fields.outputTokens = exchange.usage.outputTokens;
    if (exchange.usageEstimated) fields.usageEstimated = true;
  }
  if (exchange.searchUnits !== undefined) fields.searchUnits = exchange.searchUnits;
  if (exchange.images !== undefined) fields.images = exchange.images;
  if (exchange.cache !== undefined) fields.cache = exchange.cache;
  if (exchange.cacheSemantic !== undefined) fields.cacheSemantic = exchange.cacheSemantic;
  if (exchange.costNanos !== undefined) fields.costUsd = formatNanosAsUsd(exchange.costNanos);
  if (exchange.attempts.length > 0) fields.failedAttempts = exchange.attempts;
  if (exchange.error !== undefined)
    fields.error = { kind: exchange.error.kind, code: exchange.error.code, message: exchange.error.message };
  if (exchange.streamFailure !== undefined) fields.streamFailure = exchange.streamFailure;
  if (exchange.cut !== undefined) fields.cut = exchange.cut;
  // Which checks matched and what they did; never the matched text.
  if (exchange.guardrails !== undefined && exchange.guardrails.decisions.length > 0) {
    fields.guardrails = exchange.guardrails.decisions;
    for (const decision of exchange.guardrails.decisions)
      deps.metrics.guardrailDecision(decision.policy, decision.check, decision.action, decision.on);
  }
  // The level follows the outcome: a caller's mistake (4xx) is routine, a failure to answer (5xx:
  // upstreams down, timeouts, overload) is worth a look, and a bug of ours (internal) is an error.
  if (exchange.status >= 500 && exchange.error?.kind === 'internal')
    deps.logger.error('request', { ...fields, cause: exchange.error.cause });
  else if (exchange.status >= 500) deps.logger.warn('request', fields);
  else deps.logger.info('request', fields);
  deps.traffic?.record({
    requestId: exchange.requestId,
    operation,
    status: exchange.status,
    durationMs: finishedAt - exchange.startedAt,
    key: labels.key,
    model: exchange.model ?? '',
    route: labels.route,
    backend: labels.backend,
    stream: exchange.stream,
    ...(exchange.firstEventAt === undefined ? {} : { timeToFirstTokenMs: exchange.firstEventAt - exchange.startedAt }),
    ...(exchange.usage === undefined ? {} : { inputTokens: exchange.usage.inputTokens, outputTokens: exchange.usage.outputTokens }),
    ...(exchange.costNanos === undefined ? {} : { costNanos: exchange.costNanos }),
    ...(exchange.cache === undefined ? {} : { cache: exchange.cache }),
    ...(exchange.error?.code === undefined ? {} : { errorCode: exchange.error.code }),
  });
  if (exchange.span !== undefined) exchange.span.end(exchange);
  if (deps.audit !== undefined) deps.audit.record(auditRecord(exchange, operation, finishedAt));
}
