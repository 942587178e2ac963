// GuardrailPolicy manifest -> CompiledGuardrailPolicy: settings resolved (durations to ms,
// defaults applied) and every regular expression checked against the linear-time subset, so a
// pattern that could stall a gateway is refused where it is applied, not where it runs.

import type { GuardrailCheckSpec, GuardrailPolicyManifest } from '../generated/resource-shapes.js';
import type { CompiledGuardrailCheck, CompiledGuardrailPolicy } from '../table-types.js';
import { parseDurationMs } from '../values/duration.js';
import { unsafeRegexReason } from '../values/safe-regex.js';

/** Characters of streamed text held back when spec.streamHoldback is absent (docs/guardrails.md). */
const DEFAULT_STREAM_HOLDBACK = 128;
/** A webhook check's timeout when it names none. */
const DEFAULT_WEBHOOK_TIMEOUT_MS = 500;
/** A moderation check's timeout when it names none: a model call, slower than a webhook. */
const DEFAULT_MODERATION_TIMEOUT_MS = 2000;

/** A check refused for its pattern, with the sentence Accepted=False carries. */
export class UnsafePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePatternError';
  }
}

function compileCheck(spec: GuardrailCheckSpec, index: number): CompiledGuardrailCheck {
  const base = { name: spec.name, on: spec.on, ...(spec.restore === true ? { restore: true as const } : {}) };
  const action = spec.action ?? 'block';
  const where = `spec.checks[${index}] (${spec.name})`;
  switch (spec.type) {
    case 'pii':
      return { ...base, type: 'pii', action, entities: [...new Set(spec.entities ?? [])] };
    case 'secrets':
      return { ...base, type: 'secrets', action };
    case 'denylist':
      return { ...base, type: 'denylist', action, phrases: [...(spec.phrases ?? [])] };
    case 'regex': {
      const pattern = spec.pattern ?? '';
      try {
        new RegExp(pattern, 'gu');
      } catch (error) {
        throw new UnsafePatternError(`${where}: pattern is not a valid regular expression: ${(error as Error).message}`);
      }
      const unsafe = unsafeRegexReason(pattern);
      if (unsafe !== undefined) throw new UnsafePatternError(`${where}: pattern refused: ${unsafe}; see docs/guardrails.md`);
      return { ...base, type: 'regex', action, pattern };
    }
    case 'webhook':
    case 'moderation': {
      const fallback = spec.type === 'webhook' ? DEFAULT_WEBHOOK_TIMEOUT_MS : DEFAULT_MODERATION_TIMEOUT_MS;
      const timeoutMs = spec.timeout === undefined ? fallback : parseDurationMs(spec.timeout);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`${where}: timeout "${spec.timeout}" is not a positive duration`);
      const failurePolicy = spec.failurePolicy ?? 'Closed';
      return spec.type === 'webhook'
        ? { ...base, type: 'webhook', action, url: spec.url ?? '', timeoutMs, failurePolicy }
        : { ...base, type: 'moderation', action, model: spec.model ?? '', timeoutMs, failurePolicy };
    }
  }
}

export function compileGuardrailPolicy(manifest: GuardrailPolicyManifest): CompiledGuardrailPolicy {
  const { metadata, spec } = manifest;
  const namespace = metadata.namespace ?? 'default';
  return {
    id: `${namespace}/${metadata.name}`,
    namespace,
    name: metadata.name,
    generation: metadata.generation ?? 1,
    checks: spec.checks.map(compileCheck),
    streamHoldback: spec.streamHoldback ?? DEFAULT_STREAM_HOLDBACK,
  };
}
