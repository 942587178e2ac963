// The audit record of one request (observe stage), built from what the stages left on the
// exchange: who, which key, route and backend, what it cost and how it ended. It carries no key
// and no credential, and prompt or answer text only where the route asks (audit-content.ts); guardrail decisions name the check, never
// the text it matched.
import { formatNanosAsUsd } from '@switchyard/compiler';
import type { AuditIdentity, AuditRecord } from '../observe/audit-log.js';
import type { Exchange } from './exchange.js';

export function auditRecord(exchange: Exchange, operation: string, finishedAt: number): AuditRecord {
  const record: AuditRecord = {
    time: new Date().toISOString(),
    requestId: exchange.requestId,
    operation,
    method: exchange.req.method ?? '',
    // The path without the query: Gemini clients may send their key as ?key=.
    path: (exchange.req.url ?? '').split('?', 1)[0] as string,
    status: exchange.status,
    latencyMs: Math.round((finishedAt - exchange.startedAt) * 1000) / 1000,
  };
  const identity = identityOf(exchange);
  if (identity !== undefined) record.identity = identity;
  if (exchange.key !== undefined) record.key = exchange.key.id;
  if (exchange.model !== undefined) record.model = exchange.model;
  if (exchange.route !== undefined) record.route = exchange.route.id;
  if (exchange.backend !== undefined) record.backend = exchange.backend;
  if (exchange.route !== undefined) {
    record.stream = exchange.stream;
    record.attempts = exchange.attemptCount;
  }
  if (exchange.usage !== undefined) {
    record.inputTokens = exchange.usage.inputTokens;
    record.outputTokens = exchange.usage.outputTokens;
  }
  if (exchange.costNanos !== undefined) record.costUsd = formatNanosAsUsd(exchange.costNanos);
  if (exchange.cache !== undefined) record.cache = exchange.cache;
  if (exchange.guardrails !== undefined && exchange.guardrails.decisions.length > 0) {
    record.guardrails = exchange.guardrails.decisions.map((decision) => ({
      policy: decision.policy,
      check: decision.check,
      action: decision.action,
      on: decision.on,
      ...(decision.failure === undefined ? {} : { failure: decision.failure }),
    }));
  }
  if (exchange.error !== undefined) record.error = exchange.error.code ?? exchange.error.kind;
  if (exchange.auditContent !== undefined) record.content = exchange.auditContent;
  return record;
}

/**
 * Who the caller is: the token's identity when the caller authenticated with one (ServiceAccount
 * or OIDC subjects of a VirtualKey), else the key whose secret it presented.
 */
function identityOf(exchange: Exchange): AuditIdentity | undefined {
  const identity = exchange.identity;
  if (identity !== undefined && identity.kind !== 'key')
    return { kind: identity.kind, name: identity.subject, ...(identity.issuer === undefined ? {} : { issuer: identity.issuer }) };
  if (exchange.key === undefined) return undefined;
  return { kind: 'VirtualKey', name: exchange.key.id };
}
