// The checks that apply to one request, resolved once per (key, route) for the life of a table:
// policies are listed on the key by the compiler, each policy's detectors are built once per
// table load, and the per-(key, route) set is memoized. A key without policies costs one field
// check per request.
import type { CompiledGuardrailCheck, CompiledGuardrailPolicy } from '@switchyard/compiler';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../../table/runtime-table.js';
import { denylistDetector, piiDetector, regexDetector, secretsDetector, type Detector } from './detectors.js';

/** One check ready to run: its policy, settings and (built-in checks) its detector. */
export interface RuntimeCheck {
  readonly policy: string;
  readonly compiled: CompiledGuardrailCheck;
  /** Built-in checks only; webhook and moderation checks have none. */
  readonly detector: Detector | undefined;
}

export interface GuardrailSet {
  /** Built-in checks on prompts, in policy then list order. */
  readonly input: readonly RuntimeCheck[];
  /** Webhook and moderation checks on prompts, in order; they run after the built-in ones. */
  readonly inputHooks: readonly RuntimeCheck[];
  readonly output: readonly RuntimeCheck[];
  readonly outputHooks: readonly RuntimeCheck[];
  /** Characters of streamed text held back: the largest window of the policies with output or restore checks. */
  readonly streamHoldback: number;
  /** Some input check restores its placeholders in the answer. */
  readonly restore: boolean;
}

function placeholderLabel(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function detectorOf(check: CompiledGuardrailCheck): Detector | undefined {
  switch (check.type) {
    case 'pii':
      return piiDetector(check.entities);
    case 'secrets':
      return secretsDetector();
    case 'regex':
      return regexDetector(check.pattern, placeholderLabel(check.name));
    case 'denylist':
      return denylistDetector(check.phrases, placeholderLabel(check.name));
    case 'webhook':
    case 'moderation':
      return undefined;
  }
}

// Keyed by the table's own objects, so a reload builds fresh detectors and drops the old ones.
const checksByPolicy = new WeakMap<CompiledGuardrailPolicy, readonly RuntimeCheck[]>();
const setsByKey = new WeakMap<RuntimeKey, Map<RuntimeRoute, GuardrailSet | null>>();
const toolSetsByKey = new WeakMap<RuntimeKey, GuardrailSet | null>();

function runtimeChecks(policy: CompiledGuardrailPolicy): readonly RuntimeCheck[] {
  let checks = checksByPolicy.get(policy);
  if (checks === undefined) {
    checks = policy.checks.map((compiled) => ({ policy: policy.id, compiled, detector: detectorOf(compiled) }));
    checksByPolicy.set(policy, checks);
  }
  return checks;
}

/** `route` undefined: MCP tool calls, which no ModelRoute serves, so only policies without a routeSelector apply. */
function buildSet(policies: readonly CompiledGuardrailPolicy[], route: RuntimeRoute | undefined): GuardrailSet | null {
  const set = {
    input: [] as RuntimeCheck[],
    inputHooks: [] as RuntimeCheck[],
    output: [] as RuntimeCheck[],
    outputHooks: [] as RuntimeCheck[],
  };
  let streamHoldback = 0;
  let restore = false;
  for (const policy of policies) {
    if (policy.routeIds !== undefined && (route === undefined || !policy.routeIds.includes(route.id))) continue;
    for (const check of runtimeChecks(policy)) {
      // Webhook and moderation checks call out, after the built-in checks (docs/guardrails.md).
      const hook = check.compiled.type === 'webhook' || check.compiled.type === 'moderation';
      if (check.compiled.on !== 'output') {
        (hook ? set.inputHooks : set.input).push(check);
        if (check.compiled.restore === true) {
          // Restoring on streams reuses the hold-back window, so a placeholder split across chunks is whole when released.
          restore = true;
          streamHoldback = Math.max(streamHoldback, policy.streamHoldback);
        }
      }
      if (check.compiled.on !== 'input') {
        (hook ? set.outputHooks : set.output).push(check);
        streamHoldback = Math.max(streamHoldback, policy.streamHoldback);
      }
    }
  }
  const empty = set.input.length + set.inputHooks.length + set.output.length + set.outputHooks.length === 0;
  return empty ? null : { ...set, streamHoldback, restore };
}

/** The checks for this key on this route; undefined when none apply. */
export function guardrailsFor(
  table: RuntimeTable | undefined,
  key: RuntimeKey | undefined,
  route: RuntimeRoute | undefined,
): GuardrailSet | undefined {
  const ids = key?.compiled.guardrailPolicyIds;
  if (ids === undefined || key === undefined || route === undefined || table === undefined) return undefined;
  let byRoute = setsByKey.get(key);
  if (byRoute === undefined) setsByKey.set(key, (byRoute = new Map()));
  let set = byRoute.get(route);
  if (set === undefined) {
    const policies = ids.map((id) => table.guardrailPolicies.get(id)).filter((p): p is CompiledGuardrailPolicy => p !== undefined);
    set = buildSet(policies, route);
    byRoute.set(route, set);
  }
  return set ?? undefined;
}

/** The checks for this key's MCP tool calls (`POST /mcp`); undefined when none apply. */
export function guardrailsForTools(table: RuntimeTable | undefined, key: RuntimeKey | undefined): GuardrailSet | undefined {
  const ids = key?.compiled.guardrailPolicyIds;
  if (ids === undefined || key === undefined || table === undefined) return undefined;
  let set = toolSetsByKey.get(key);
  if (set === undefined) {
    const policies = ids.map((id) => table.guardrailPolicies.get(id)).filter((p): p is CompiledGuardrailPolicy => p !== undefined);
    set = buildSet(policies, undefined);
    toolSetsByKey.set(key, set);
  }
  return set ?? undefined;
}
