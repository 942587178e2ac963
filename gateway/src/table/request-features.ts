// What routing knows about one request: the features rules match on and capabilities are checked
// against. The pipeline reads them once per request (pipeline/routing-features.ts); everything
// here only compares them with what the table compiled.
import type { CompiledRuleMatch, RuleFrontDoor } from '@switchyard/compiler';
import { usableRoute } from './plan-routes.js';
import type { RuntimeBackend, RuntimeKey, RuntimeRoute, RuntimeTier } from './runtime-table.js';

export interface RequestFeatures {
  /** From the x-switchyard-tags header. */
  readonly tags: ReadonlySet<string>;
  /** The body's `metadata` entries with string values (OpenAI Chat Completions). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The gateway's prompt estimate (the byte-based upper bound budget reservations use). */
  readonly promptTokens: number;
  /**
   * The prompt's tokens as `backend`'s tokenizer would count them, for its context window: asked
   * only when `promptTokens`, an upper bound, exceeds the window (a prompt can fit a window its
   * byte count exceeds by 3-4 times).
   */
  contextTokens(backend: RuntimeBackend): number;
  /** The caller's max output tokens, if it set one. */
  readonly maxOutputTokens: number | undefined;
  /** The output tokens a cost estimate assumes: the caller's max, else the route's defaultMaxTokens. */
  outputTokens(route: RuntimeRoute): number;
  readonly hasTools: boolean;
  readonly hasImages: boolean;
  readonly jsonSchema: boolean;
  readonly reasoning: boolean;
  readonly frontDoor: RuleFrontDoor;
  readonly keyLabels: Readonly<Record<string, string>>;
  /** Identifies the conversation for affinity; undefined when affinity has nothing to go by. */
  readonly conversation: string | undefined;
  /**
   * A Gemini context cache the request reads (`cachedContent`). It lives in one Google project:
   * only a backend that can read that kind of name may serve the request, and the request is
   * pinned to one backend and credential by affinity (keyed on the name) even on routes without it.
   */
  readonly cachedContent?: string | undefined;
}

function entriesHold(required: Readonly<Record<string, string>> | undefined, actual: Readonly<Record<string, string>>): boolean {
  if (required === undefined) return true;
  for (const [name, value] of Object.entries(required)) if (!Object.hasOwn(actual, name) || actual[name] !== value) return false;
  return true;
}

function flagHolds(required: boolean | undefined, actual: boolean): boolean {
  return required === undefined || required === actual;
}

function ruleMatches(match: CompiledRuleMatch, features: RequestFeatures): boolean {
  if (match.tags !== undefined && !match.tags.every((tag) => features.tags.has(tag))) return false;
  if (match.minPromptTokens !== undefined && features.promptTokens < match.minPromptTokens) return false;
  if (match.maxPromptTokens !== undefined && features.promptTokens > match.maxPromptTokens) return false;
  if (!flagHolds(match.hasTools, features.hasTools)) return false;
  if (!flagHolds(match.hasImages, features.hasImages)) return false;
  if (!flagHolds(match.jsonSchema, features.jsonSchema)) return false;
  if (match.frontDoors !== undefined && !match.frontDoors.includes(features.frontDoor)) return false;
  return entriesHold(match.metadata, features.metadata) && entriesHold(match.keyLabels, features.keyLabels);
}

/**
 * Why this backend cannot read the request's context cache: Gemini API names
 * (`cachedContents/{id}`) only on `gemini` backends, Vertex AI names (`projects/...`) only on
 * `vertex-ai` backends serving Google's models (Claude on Vertex has no context caches).
 */
function cachedContentUnfit(backend: RuntimeBackend, cachedContent: string): string | undefined {
  const { provider, model } = backend.compiled;
  const vertexName = cachedContent.startsWith('projects/');
  if (vertexName && provider === 'vertex-ai' && !/^claude-/i.test(model)) return undefined;
  if (!vertexName && provider === 'gemini') return undefined;
  const needs = vertexName
    ? 'a Vertex AI cache, readable only by a vertex-ai backend serving a Gemini model'
    : 'a Gemini API cache, readable only by a gemini backend';
  return `the request reads cachedContent ${JSON.stringify(cachedContent)}, ${needs}`;
}

/** Why a backend with these capabilities cannot serve the request; undefined when it can (or nothing is known). */
function unfitReason(backend: RuntimeBackend, features: RequestFeatures): string | undefined {
  if (features.cachedContent !== undefined) {
    const reason = cachedContentUnfit(backend, features.cachedContent);
    if (reason !== undefined) return reason;
  }
  const capabilities = backend.compiled.capabilities;
  if (capabilities === undefined) return undefined;
  if (capabilities.contextWindow !== undefined && features.promptTokens > capabilities.contextWindow) {
    const counted = features.contextTokens(backend);
    if (counted > capabilities.contextWindow)
      return `the prompt (about ${counted} tokens) exceeds its contextWindow of ${capabilities.contextWindow}`;
  }
  if (
    capabilities.maxOutputTokens !== undefined &&
    features.maxOutputTokens !== undefined &&
    features.maxOutputTokens > capabilities.maxOutputTokens
  )
    return `max output tokens ${features.maxOutputTokens} exceed its maxOutputTokens of ${capabilities.maxOutputTokens}`;
  if (capabilities.vision === false && features.hasImages) return 'the request carries images and it has no vision';
  if (capabilities.tools === false && features.hasTools) return 'the request defines tools and it takes no tools';
  if (capabilities.jsonSchema === false && features.jsonSchema) return 'the request asks for JSON-schema output and it has no jsonSchema';
  if (capabilities.reasoning === false && features.reasoning) return 'the request sets reasoning options and it has no reasoning';
  return undefined;
}

/** The backends a request may use on one route: its rule's (or all) tiers, minus those that cannot serve it. */
export interface RouteChoice {
  readonly route: RuntimeRoute;
  readonly tiers: readonly RuntimeTier[];
  /** The rule that matched; undefined when none did. */
  readonly rule: string | undefined;
  /** Backends of `tiers` that cannot serve the request, with the reason. */
  readonly unfit: ReadonlyMap<RuntimeBackend, string>;
  /** True when no backend of `tiers` can serve the request. */
  readonly noneFit: boolean;
}

const NOTHING_UNFIT: ReadonlyMap<RuntimeBackend, string> = new Map();

export function chooseTiers(route: RuntimeRoute, features: RequestFeatures): RouteChoice {
  let tiers = route.tiers;
  let rule: string | undefined;
  for (const candidate of route.rules) {
    // A rule naming another route was decided before admission (handOver); reaching it here
    // means the key may not use that route, and the rule is passed over.
    if (candidate.route !== undefined) continue;
    if (ruleMatches(candidate.match, features)) {
      tiers = candidate.tiers;
      rule = candidate.name;
      break;
    }
  }
  let unfit: Map<RuntimeBackend, string> | undefined;
  let total = 0;
  for (const tier of tiers) {
    for (const backend of tier.backends.items) {
      total += 1;
      const reason = unfitReason(backend, features);
      if (reason === undefined) continue;
      unfit ??= new Map();
      unfit.set(backend, reason);
    }
  }
  if (unfit === undefined && rule === undefined) return allTiersOf(route);
  return { route, tiers, rule, unfit: unfit ?? NOTHING_UNFIT, noneFit: unfit !== undefined && unfit.size === total };
}

/**
 * The common choice (no rule matched, every backend fits) is the same value for every request
 * to a route: built once per runtime route. A route rebuilt by a table change is a new object,
 * so its choice is built anew and the old one goes with the old route.
 */
const defaultChoices = new WeakMap<RuntimeRoute, RouteChoice>();

function allTiersOf(route: RuntimeRoute): RouteChoice {
  let choice = defaultChoices.get(route);
  if (choice === undefined) {
    choice = Object.freeze({ route, tiers: route.tiers, rule: undefined, unfit: NOTHING_UNFIT, noneFit: false });
    defaultChoices.set(route, choice);
  }
  return choice;
}

/**
 * The route a request is handed to by the first matching rule of `route` when that rule names
 * another route (`spec.rules[].route`) the key may use, with the rule's name; undefined when the
 * first matching rule names backends, or no rule matches. A named route the key may not use (or
 * cannot reach: another namespace, residency) is passed over and matching goes on.
 */
export function handOver(
  route: RuntimeRoute,
  features: RequestFeatures,
  key: RuntimeKey,
): { route: RuntimeRoute; rule: string } | undefined {
  for (const candidate of route.rules) {
    if (!ruleMatches(candidate.match, features)) continue;
    if (candidate.route === undefined) return undefined;
    const target = usableRoute(key, candidate.route);
    if (target !== undefined && target !== route) return { route: target, rule: candidate.name };
  }
  return undefined;
}
