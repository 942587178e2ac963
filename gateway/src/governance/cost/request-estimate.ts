// What admission reserves for one request: its prompt tokens (the byte-based upper bound, or
// with `reservation: Tokenized` the count of every backend family it may reach), its output tokens (the caller's max, else the route's defaultMaxTokens), and their cost at the
// dearest prices of every backend the request may reach (its route's and its fallback routes').
// Price bounds are computed once per route per table load, not per request.
import type { RuntimeKey, RuntimeRoute } from '../../table/runtime-table.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import { planRoutes } from '../../table/plan-routes.js';
import { estimateCostNanos, pricesOf } from './compute-cost.js';
import type { UnifiedRerankRequest } from '../../unified/rerank.js';
import { isImageRequest, type UnifiedImageRequest } from '../../unified/images.js';
import { estimateImages } from './image-cost.js';
import { isAudioRequest, type UnifiedAudioRequest } from '../../unified/audio.js';
import { estimateAudioUnits } from './estimate-audio.js';
import { estimateChatPromptTokens, estimateInputOnlyTokens, isChatRequest } from './estimate-prompt-tokens.js';
import { type TokenFamily, tokenFamilyOf } from './prompt-token-families.js';
import { tokenizedPromptTokens } from './tokenized-prompt-tokens.js';

export interface UnpricedBackend {
  route: string;
  backend: string;
  provider: string;
  model: string;
}

interface RoutePriceBounds {
  /** Dearest per-million price a prompt token can cost (input or cache write). */
  input: bigint;
  output: bigint;
  unpriced: readonly UnpricedBackend[];
  /** The tokenizer families of its backends, for Tokenized reservations. */
  families: readonly TokenFamily[];
  /** The longest total timeout of an attempt on the route: its own, or a backend's longer one. */
  longestTotalMs: number;
}

const boundsByRoute = new WeakMap<RuntimeRoute, RoutePriceBounds>();

function routePriceBounds(route: RuntimeRoute): RoutePriceBounds {
  let bounds = boundsByRoute.get(route);
  if (bounds !== undefined) return bounds;
  let input = 0n;
  let output = 0n;
  const unpriced: UnpricedBackend[] = [];
  const families = new Set<TokenFamily>();
  let longestTotalMs = route.compiled.timeouts.totalMs;
  for (const backend of route.compiled.backends) {
    families.add(tokenFamilyOf(backend.provider, backend.model));
    if (backend.timeouts !== undefined && backend.timeouts.totalMs > longestTotalMs) longestTotalMs = backend.timeouts.totalMs;
    if (backend.pricing === undefined) {
      unpriced.push({ route: route.id, backend: backend.name, provider: backend.provider, model: backend.model });
      continue;
    }
    const prices = pricesOf(backend.pricing);
    // biome-ignore lint/complexity/useMathMinMax: bigint nano-dollars; Math.max takes numbers only
    const dearestInput = prices.cacheWrite > prices.input ? prices.cacheWrite : prices.input;
    if (dearestInput > input) input = dearestInput;
    if (prices.output > output) output = prices.output;
  }
  bounds = { input, output, unpriced, families: [...families], longestTotalMs };
  boundsByRoute.set(route, bounds);
  return bounds;
}

export interface RequestEstimate {
  promptTokens: number;
  outputTokens: number;
  /** What the tokens-per-minute limit must have room for. */
  tokens: number;
  costNanos: bigint;
  /** Backends the request may reach that have no price; non-empty refuses keys under a Block budget. */
  unpriced: readonly UnpricedBackend[];
  /** How long a reservation may live before a crashed holder's share is reclaimed (shared counters). */
  leaseMs: number;
}

const LEASE_MARGIN_MS = 60_000;
const MAX_LEASE_MS = 2 * 60 * 60 * 1000;

/** How the prompt is bounded: Budget `spec.reservation` (docs/governance.md, "Reservations"). */
export type PromptCounter = 'Strict' | 'Tokenized';

export function estimateRequest(
  key: RuntimeKey,
  route: RuntimeRoute,
  request: UnifiedChatRequest | UnifiedEmbeddingsRequest | UnifiedRerankRequest | UnifiedImageRequest | UnifiedAudioRequest,
  counter: PromptCounter = 'Strict',
): RequestEstimate {
  const bounds = planBounds(key, route, counter);
  const { plan, leaseMs, families } = bounds;
  // Images are priced per image or by GPT Image tokens, from the image catalog (image-cost.ts).
  if (isImageRequest(request)) {
    const images = estimateImages(plan, request);
    return {
      promptTokens: images.promptTokens,
      outputTokens: images.outputTokens,
      tokens: images.promptTokens + images.outputTokens,
      costNanos: images.costNanos,
      unpriced: images.unpriced,
      leaseMs: Math.min(leaseMs, MAX_LEASE_MS),
    };
  }
  if (isAudioRequest(request)) {
    // Audio is reserved in its backends' billing units, not prompt tokens.
    const units = estimateAudioUnits(request, plan);
    return tokenEstimate(units.input, units.output, bounds);
  }
  const chat = isChatRequest(request);
  // Tokenized counts prompts and embedding inputs; a rerank keeps its pair bound (a reranker's tokenizer is its own).
  const promptTokens =
    counter === 'Tokenized' && families.length > 0 && !('documents' in request)
      ? tokenizedPromptTokens(request, families)
      : chat
        ? estimateChatPromptTokens(request)
        : estimateInputOnlyTokens(request);
  const outputTokens = chat ? (request.maxOutputTokens ?? route.compiled.defaultMaxTokens) : 0;
  return tokenEstimate(promptTokens, outputTokens, bounds);
}

interface PlanBounds {
  /** The routes the request may be served by, fallbacks included. */
  plan: readonly RuntimeRoute[];
  input: bigint;
  output: bigint;
  unpriced: readonly UnpricedBackend[];
  leaseMs: number;
  families: readonly TokenFamily[];
}

/** An estimate of prompt and output tokens (or an endpoint's own units) at the plan's highest prices. */
function tokenEstimate(promptTokens: number, outputTokens: number, bounds: PlanBounds): RequestEstimate {
  return {
    promptTokens,
    outputTokens,
    tokens: promptTokens + outputTokens,
    costNanos: estimateCostNanos(promptTokens, outputTokens, { input: bounds.input, output: bounds.output }),
    unpriced: bounds.unpriced,
    leaseMs: Math.min(bounds.leaseMs, MAX_LEASE_MS),
  };
}

/** The highest prices, the unpriced backends and the longest lease over every route the request may be served by. */
function planBounds(key: RuntimeKey, route: RuntimeRoute, counter: PromptCounter): PlanBounds {
  const plan = route.compiled.fallbackModels.length === 0 ? [route] : planRoutes(key, route);
  let input = 0n;
  let output = 0n;
  let unpriced: readonly UnpricedBackend[] = [];
  let leaseMs = LEASE_MARGIN_MS;
  let families: readonly TokenFamily[] = [];
  for (const candidate of plan) {
    const bounds = routePriceBounds(candidate);
    if (counter === 'Tokenized') families = families.length === 0 ? bounds.families : [...new Set([...families, ...bounds.families])];
    if (bounds.input > input) input = bounds.input;
    if (bounds.output > output) output = bounds.output;
    if (bounds.unpriced.length > 0) unpriced = unpriced.length === 0 ? bounds.unpriced : [...unpriced, ...bounds.unpriced];
    // An attempt lasts at most the key's own total timeout, else the longest of the route's and its backends'.
    leaseMs += Math.max(1, candidate.compiled.retry.attempts) * (key.compiled.timeouts?.totalMs ?? bounds.longestTotalMs);
  }
  return { plan, input, output, unpriced, leaseMs, families };
}

/**
 * A batch's estimate from its input file's totals (every line's bounded prompt estimate and
 * max tokens, added up at upload), at the route's standard prices: batch discounts only lower
 * the real charge, so the reservation stays an upper bound.
 */
export function estimateBatch(key: RuntimeKey, route: RuntimeRoute, promptTokens: number, outputTokens: number): RequestEstimate {
  return tokenEstimate(promptTokens, outputTokens, planBounds(key, route, 'Strict'));
}
