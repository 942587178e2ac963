// Passive outlier detection: a backend that fails `consecutiveFailures` times in a row is
// ejected for `ejectionTime`, then gets traffic again with its count reset. The state lives
// outside the routing table so a reload that keeps a route's backend keeps its health.
import type { CompiledOutlierDetection } from '@switchyard/compiler';

/**
 * How fast a latency measurement that is not renewed loses weight (docs/routing.md,
 * "Strategies"): a backend left alone after a slow period is tried again once its stale
 * estimate has decayed below its peers', instead of being judged by that period forever.
 */
const LATENCY_DECAY_HALF_LIFE_MS = 5_000;
/** Time constant of the EWMA that brings a peak back down as faster answers come in. */
const LATENCY_EWMA_TAU_MS = 10_000;

export class BackendHealth {
  consecutiveFailures = 0;
  /** Unix ms until which the backend takes no traffic; 0 when not ejected. */
  ejectedUntilMs = 0;
  /** Requests this gateway has in flight on the backend (from the attempt's start to the answer's end). */
  inFlight = 0;
  /** Requests waiting for a slot under the backend's maxConcurrency, oldest first (each is told once). */
  private readonly slotWaiters = new Set<() => void>();
  /** Peak-EWMA of the time to first byte in ms; 0 until the first measurement. */
  private latencyMs = 0;
  private latencyAtMs = 0;

  /**
   * Peak-EWMA: a slower answer than the estimate replaces it at once (reacting to a slowdown
   * within one request); a faster one pulls it down by a weight that grows with the time since
   * the last measurement.
   */
  recordFirstByte(elapsedMs: number, nowMs: number): void {
    const sample = Math.max(0, elapsedMs);
    // Blend with the estimate as decayed to now, so the first answer after a long pause is not
    // averaged with what the backend did before the pause.
    const current = this.latencyEstimateMs(nowMs);
    if (this.latencyAtMs === 0 || sample >= current) this.latencyMs = sample;
    else {
      const keep = Math.exp(-Math.max(0, nowMs - this.latencyAtMs) / LATENCY_EWMA_TAU_MS);
      this.latencyMs = current * keep + sample * (1 - keep);
    }
    this.latencyAtMs = nowMs;
  }

  /** The estimate as of `nowMs`, halved for every half-life since it was last renewed; 0 when never measured. */
  latencyEstimateMs(nowMs: number): number {
    if (this.latencyAtMs === 0) return 0;
    return this.latencyMs * 0.5 ** (Math.max(0, nowMs - this.latencyAtMs) / LATENCY_DECAY_HALF_LIFE_MS);
  }

  /** One request on the backend ended: its slot goes to the oldest request waiting for one. */
  released(): void {
    this.inFlight -= 1;
    const oldest = this.slotWaiters.values().next();
    if (oldest.done === true) return;
    this.slotWaiters.delete(oldest.value);
    oldest.value();
  }

  /** Calls `listener` once when a request on the backend ends; returns the unsubscribe. */
  onSlotFreed(listener: () => void): () => void {
    this.slotWaiters.add(listener);
    return () => this.slotWaiters.delete(listener);
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.slotWaiters.size;
  }

  isEjected(nowMs: number): boolean {
    return this.ejectedUntilMs > nowMs;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
  }

  /** Returns true when this failure ejected the backend. */
  recordFailure(policy: CompiledOutlierDetection, nowMs: number): boolean {
    this.consecutiveFailures += 1;
    if (policy.consecutiveFailures <= 0 || this.consecutiveFailures < policy.consecutiveFailures) return false;
    this.consecutiveFailures = 0;
    this.ejectedUntilMs = nowMs + policy.ejectionTimeMs;
    return true;
  }
}

/** Health per (route id, backend name), carried across routing-table swaps. */
export class BackendHealthStore {
  private states = new Map<string, BackendHealth>();

  /**
   * Returns the states for a new table's backends, reusing those whose route and backend
   * name survive, and forgets the rest. `entries` lists every backend of the new table.
   */
  retain(entries: Iterable<{ routeId: string; backendName: string }>): Map<string, BackendHealth> {
    const next = new Map<string, BackendHealth>();
    for (const { routeId, backendName } of entries) {
      const key = healthKey(routeId, backendName);
      next.set(key, this.states.get(key) ?? new BackendHealth());
    }
    this.states = next;
    return next;
  }

  /**
   * For a table that changed some routes only: forgets the states of `dropped` (the replaced and
   * removed routes' previous backends) unless `entries` (the replaced routes' new backends) name
   * them again, and returns the states for `entries`. The other routes' states stay as they are.
   */
  replaceRoutes(
    dropped: Iterable<{ routeId: string; backendName: string }>,
    entries: Iterable<{ routeId: string; backendName: string }>,
  ): Map<string, BackendHealth> {
    const kept = new Map<string, BackendHealth>();
    for (const { routeId, backendName } of entries) {
      const key = healthKey(routeId, backendName);
      kept.set(key, this.states.get(key) ?? new BackendHealth());
    }
    for (const { routeId, backendName } of dropped) this.states.delete(healthKey(routeId, backendName));
    for (const [key, state] of kept) this.states.set(key, state);
    return kept;
  }
}

export function healthKey(routeId: string, backendName: string): string {
  return `${routeId}\u0000${backendName}`;
}
