// Stage 8, retry / fall back. Each route in the plan gets `retry.attempts` upstream calls (the
// first included), spaced by jittered exponential backoff or the upstream's retry-after when
// it asks for longer; a retryable kind missing from `retry.on` ends that route early, a
// backend's own misconfiguration moves on to another backend. Upstream 400/422 stop
// everything and pass through. Only the call before the first streamed byte is
// inside this loop, which is how "never retry after the first byte" holds.
import type { CompiledCredential } from '@switchyard/compiler';
import { GatewayError, invalidRequest } from '../errors/gateway-error.js';
import type { BackendTarget } from '../unified/provider-codec.js';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.js';
import { UpstreamFailure, type UpstreamFailureKind } from '../errors/upstream-failure.js';
import type { AffinityStore } from '../table/affinity.js';
import { chooseTiers, type RequestFeatures, type RouteChoice } from '../table/request-features.js';
import type { RuntimeBackend, RuntimeRoute } from '../table/runtime-table.js';
import { egressLogDetail } from '../transport/egress-guard.js';
import { backoffDelayMs, waitUnlessDisconnected } from './backoff.js';
import { ClientDisconnectedError, type AttemptRecord, type ClientAbortSignal } from './exchange.js';
import { CACHED_CONTENT_AFFINITY_TTL_MS, isFull, pinsConversation, selectBackend } from './route.js';

/** Failure kinds that count toward ejecting a backend (5xx, timeouts, connection failures): it, not the request, is at fault. */
const EJECTING_KINDS: ReadonlySet<UpstreamFailureKind> = new Set(['ServerError', 'Timeout', 'ConnectError', 'StreamBroken']);

/**
 * Failures that say something about one backend's configuration (its credential, its model id,
 * where it points), not about the moment: never retried on that backend, but the next attempt
 * may go to another backend of the route.
 */
const BACKEND_MISCONFIGURED_KINDS: ReadonlySet<UpstreamFailureKind> = new Set(['AuthError', 'NotFound', 'Other']);

const MAX_REASON_CHARS = 300;
const NO_BACKENDS: ReadonlySet<RuntimeBackend> = new Set();
/** Requests that may wait for a slot on one backend at its maxConcurrency (docs/routing.md). */
const MAX_QUEUED_PER_BACKEND = 1000;

export interface AttemptTarget {
  route: RuntimeRoute;
  backend: RuntimeBackend;
  credential: CompiledCredential | undefined;
  backendTarget: BackendTarget;
}

export interface RetryObserver {
  attemptStarted(route: RuntimeRoute, backend: RuntimeBackend, credential: CompiledCredential | undefined): void;
  attemptFailed(route: RuntimeRoute, backend: RuntimeBackend, failure: UpstreamFailure): void;
  backendEjected(route: RuntimeRoute, backend: RuntimeBackend): void;
}

export interface RetryOptions {
  clientSignal: ClientAbortSignal;
  /** Filled as attempts fail, so the caller can report them whatever the outcome. */
  attempts: AttemptRecord[];
  observer: RetryObserver;
  random: () => number;
  /** What rules and capabilities are matched against. */
  features: RequestFeatures;
  /** Where routes with `affinity` remember conversations; absent, affinity is not used. */
  affinity?: AffinityStore;
  /** The calling key's first-byte timeout (VirtualKey spec.timeouts), which bounds a wait for a slot in place of the route's. */
  keyFirstByteMs?: number | undefined;
}

export interface RetryOutcome<T> {
  result: T;
  target: AttemptTarget;
  /** The routing rule that chose the answering route's backends, if one matched. */
  rule: string | undefined;
  /**
   * Ends the answering backend's in-flight count (least-outstanding, latency). Call it once the
   * answer is fully delivered (a stream's last event), whatever the outcome; calls after the first do nothing.
   */
  release(): void;
}

export async function callWithRetries<T>(
  plan: readonly RuntimeRoute[],
  call: (target: AttemptTarget) => Promise<T>,
  options: RetryOptions,
): Promise<RetryOutcome<T>> {
  const { attempts, observer, random, features } = options;
  let noBackendRoutes = 0;
  let unfitRoutes: RouteChoice[] | undefined;
  for (const route of plan) {
    const choice = chooseTiers(route, features);
    if (choice.noneFit) {
      // Capabilities are about the request, not the moment: this route is skipped, fallbacks included.
      (unfitRoutes ??= []).push(choice);
      continue;
    }
    const policy = route.compiled.retry;
    // Created when an attempt fails (the shared empty set until then): most requests never need them.
    let tried: Set<RuntimeBackend> | undefined;
    let avoid: Set<RuntimeBackend> | undefined;
    let previous: { backend: RuntimeBackend; failure: UpstreamFailure } | undefined;
    for (let attempt = 0; attempt < Math.max(1, policy.attempts); attempt++) {
      let selection = selectBackend(choice, features, tried ?? NO_BACKENDS, avoid ?? NO_BACKENDS, Date.now(), random, options.affinity);
      if (selection === undefined && attempt === 0 && saturated(choice, avoid ?? NO_BACKENDS)) {
        // Every usable backend is at its maxConcurrency: wait for a slot, up to the first-byte timeout.
        await waitForSlot(choice, avoid ?? NO_BACKENDS, options.clientSignal, options.keyFirstByteMs);
        selection = selectBackend(choice, features, tried ?? NO_BACKENDS, avoid ?? NO_BACKENDS, Date.now(), random, options.affinity);
      }
      if (selection === undefined) {
        if (attempt === 0) noBackendRoutes += 1;
        break;
      }
      const { backend, credential } = selection;
      if (previous !== undefined) {
        const backoff = backoffDelayMs(policy, attempt, random);
        const retryAfter = previous.backend === backend ? (previous.failure.retryAfterMs ?? 0) : 0;
        await waitUnlessDisconnected(Math.max(backoff, retryAfter), options.clientSignal);
      }
      let target = attemptTarget(route, backend, credential);
      observer.attemptStarted(route, backend, credential);
      let failure: UpstreamFailure;
      backend.health.inFlight += 1;
      const startedMs = performance.now();
      try {
        target = withCurrentCredential(target);
        const result = await call(target);
        backend.health.recordSuccess();
        backend.health.recordFirstByte(performance.now() - startedMs, Date.now());
        if (pinsConversation(route, features) && features.conversation !== undefined)
          options.affinity?.remember(
            route.id,
            features.conversation,
            backend.name,
            credential?.ref,
            pinTTLMs(backend, route, features),
            Date.now(),
          );
        return { result, target, rule: choice.rule, release: releaseOnce(backend) };
      } catch (error) {
        backend.health.released();
        if (error instanceof ClientDisconnectedError || error instanceof GatewayError) throw error;
        if (error instanceof UnsupportedFeatureError)
          throw invalidRequest(`${error.message} (backend "${backend.name}" of model ${route.model})`, error.param);
        failure = error instanceof UpstreamFailure ? error : new UpstreamFailure('Other', 0, 'upstream call failed');
        // A timeout says the backend is at least this slow; other failures say nothing about its speed.
        if (failure.kind === 'Timeout') backend.health.recordFirstByte(performance.now() - startedMs, Date.now());
      }
      // Recorded only now: an attempt that answered returned above, and nothing read `tried` meanwhile.
      (tried ??= new Set()).add(backend);
      attempts.push({
        route: route.id,
        backend: backend.name,
        status: failure.status,
        kind: failure.kind,
        reason: truncate(failure.message),
        ...logOnly(egressLogDetail(failure.cause)),
      });
      observer.attemptFailed(route, backend, failure);
      recordHealth(route, backend, failure, observer);
      if (failure.kind === 'BadRequest') {
        throw new GatewayError('upstream_bad_request', failure.message, {
          status: failure.status || 400,
          ...(failure.param === undefined ? {} : { param: failure.param }),
        });
      }
      if (BACKEND_MISCONFIGURED_KINDS.has(failure.kind)) {
        // Calling this backend again would fail the same way; another backend may not.
        (avoid ??= new Set()).add(backend);
        previous = undefined;
        continue;
      }
      if (!(policy.on as readonly string[]).includes(failure.kind)) break;
      // A backend that asks for a longer pause than the route's longest backoff is left alone
      // for this request rather than holding the caller.
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxBackoffMs) (avoid ??= new Set()).add(backend);
      previous = { backend, failure };
    }
  }
  if (attempts.length === 0 && unfitRoutes !== undefined) throw noCapableBackend(unfitRoutes);
  throw exhausted(plan, attempts, noBackendRoutes);
}

/** The route's backends this request could use now: not avoided, able to serve it, not ejected. */
function usableBackends(choice: RouteChoice, avoid: ReadonlySet<RuntimeBackend>, nowMs: number): RuntimeBackend[] {
  return choice.tiers.flatMap((tier) =>
    tier.backends.items.filter((b) => !avoid.has(b) && !choice.unfit.has(b) && !b.health.isEjected(nowMs)),
  );
}

/** Whether backends of the route are usable but every one of them is at its maxConcurrency. */
function saturated(choice: RouteChoice, avoid: ReadonlySet<RuntimeBackend>): boolean {
  const usable = usableBackends(choice, avoid, Date.now());
  return usable.length > 0 && usable.every(isFull);
}

/**
 * Waits until one of the route's usable backends frees a slot, for at most the route's
 * first-byte timeout; then 503 `backends_saturated`. A queue already MAX_QUEUED_PER_BACKEND deep
 * on every backend refuses at once: past that, waiting would only grow memory and latency.
 */
async function waitForSlot(
  choice: RouteChoice,
  avoid: ReadonlySet<RuntimeBackend>,
  clientSignal: ClientAbortSignal,
  keyFirstByteMs: number | undefined,
): Promise<void> {
  const backends = usableBackends(choice, avoid, Date.now());
  const limits = backends.map((b) => `${b.name}: ${b.compiled.maxConcurrency}`).join(', ');
  const waitMs = keyFirstByteMs ?? choice.route.compiled.timeouts.firstByteMs;
  if (backends.every((b) => b.health.queued >= MAX_QUEUED_PER_BACKEND))
    throw saturatedError(choice.route, `${MAX_QUEUED_PER_BACKEND} requests already wait on each backend (${limits})`);
  const unsubscribes: Array<() => void> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(saturatedError(choice.route, `no slot freed within the first-byte timeout (${waitMs} ms; maxConcurrency ${limits})`)),
        waitMs,
      );
      const done = (): void => {
        clearTimeout(timer);
        clientSignal.removeEventListener('abort', gone);
        resolve();
      };
      const gone = (): void => {
        clearTimeout(timer);
        reject(new ClientDisconnectedError());
      };
      if (clientSignal.aborted) return gone();
      clientSignal.addEventListener('abort', gone, { once: true });
      for (const backend of backends) unsubscribes.push(backend.health.onSlotFreed(done));
    });
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe();
  }
}

function saturatedError(route: RuntimeRoute, detail: string): GatewayError {
  return new GatewayError('no_backend', `every backend of model \`${route.model}\` is at its maxConcurrency: ${detail}`, {
    code: 'backends_saturated',
  });
}

function releaseOnce(backend: RuntimeBackend): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    backend.health.released();
  };
}

/** A 400: no backend of any route the request may use can serve it; says which backend lacks what. */
function noCapableBackend(choices: readonly RouteChoice[]): GatewayError {
  const model = choices[0]?.route.model ?? 'unknown';
  const reasons = choices.flatMap((choice) =>
    [...choice.unfit].map(([backend, reason]) => `backend "${backend.name}" of model ${choice.route.model}: ${reason}`),
  );
  return invalidRequest(`no backend of model \`${model}\` can serve this request: ${reasons.join('; ')}`);
}

/**
 * How long the answering backend stays the conversation's: its own affinityTTL, else the route's.
 * A Gemini context cache is pinned for at least CACHED_CONTENT_AFFINITY_TTL_MS, since another
 * backend (another project) could not read it at all.
 */
function pinTTLMs(backend: RuntimeBackend, route: RuntimeRoute, features: RequestFeatures): number {
  const configured = backend.compiled.affinityTTLMs ?? route.compiled.affinity?.ttlMs;
  if (features.cachedContent === undefined) return configured ?? CACHED_CONTENT_AFFINITY_TTL_MS;
  return Math.max(configured ?? 0, CACHED_CONTENT_AFFINITY_TTL_MS);
}

/** A stream that broke after its first byte is not retried, but it counts against its backend. */
export function recordStreamFailure(target: AttemptTarget, reason: string, observer: RetryObserver): void {
  const failure = new UpstreamFailure('StreamBroken', 0, reason);
  observer.attemptFailed(target.route, target.backend, failure);
  recordHealth(target.route, target.backend, failure, observer);
}

function recordHealth(route: RuntimeRoute, backend: RuntimeBackend, failure: UpstreamFailure, observer: RetryObserver): void {
  if (!EJECTING_KINDS.has(failure.kind)) {
    if (failure.kind === 'BadRequest') backend.health.recordSuccess();
    return;
  }
  if (backend.health.recordFailure(route.compiled.outlierDetection, Date.now())) observer.backendEjected(route, backend);
}

function exhausted(plan: readonly RuntimeRoute[], attempts: readonly AttemptRecord[], noBackendRoutes: number): GatewayError {
  const model = plan[0]?.model ?? 'unknown';
  if (attempts.length === 0) {
    const detail =
      noBackendRoutes > 0 ? 'every backend is ejected after repeated failures (or drained with weight 0)' : 'no backend could be tried';
    return new GatewayError('no_backend', `no usable backend for model \`${model}\`: ${detail}`, { code: 'no_backend_available' });
  }
  const listed = attempts.map((a, i) => `[${i + 1}] backend=${a.backend} status=${a.status} reason=${a.kind}: ${a.reason}`).join('; ');
  if (attempts.every((a) => a.kind === 'Timeout')) {
    return new GatewayError(
      'upstream_timeout',
      `upstream timed out for model \`${model}\` (${attempts.length} attempt${attempts.length === 1 ? '' : 's'}): ${listed}`,
      { code: 'upstream_timeout' },
    );
  }
  return new GatewayError(
    'upstream_failed',
    `all upstream attempts failed for model \`${model}\` (${attempts.length} attempt${attempts.length === 1 ? '' : 's'}): ${listed}`,
    { code: 'upstream_failed' },
  );
}

function logOnly(detail: string | undefined): { logDetail?: string } {
  return detail === undefined ? {} : { logDetail: truncate(detail) };
}

/** A file credential's current value, taken once per attempt: the attempt keeps it to its end, whatever rotation follows. */
/**
 * The last target built for each backend, reused while its route and credential are the same:
 * targets are never changed once built (withCurrentCredential makes a new one), and a backend
 * rebuilt by a table change is a new object, so it gets a new entry and the old one goes with it.
 */
const lastTargets = new WeakMap<RuntimeBackend, AttemptTarget>();

function attemptTarget(route: RuntimeRoute, backend: RuntimeBackend, credential: CompiledCredential | undefined): AttemptTarget {
  const last = lastTargets.get(backend);
  if (last !== undefined && last.route === route && last.credential === credential) return last;
  const target: AttemptTarget = Object.freeze({
    route,
    backend,
    credential,
    backendTarget: Object.freeze({ backend: backend.compiled, credential, defaultMaxTokens: route.compiled.defaultMaxTokens }),
  });
  lastTargets.set(backend, target);
  return target;
}

function withCurrentCredential(target: AttemptTarget): AttemptTarget {
  const picked = target.credential;
  if (picked === undefined) return target;
  const credential = target.backend.resolveCredential(picked);
  if (credential === picked) return target;
  return { ...target, credential, backendTarget: { ...target.backendTarget, credential } };
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON_CHARS ? `${oneLine.slice(0, MAX_REASON_CHARS)}...` : oneLine;
}
