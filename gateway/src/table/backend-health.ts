// Passive outlier detection: a backend that fails `consecutiveFailures` times in a row is
// ejected for `ejectionTime`, then gets traffic again with its count reset. The state lives
// outside the routing table so a reload that keeps a route's backend keeps its health.
import type { CompiledOutlierDetection } from '@switchyard/compiler';

export class BackendHealth {
  consecutiveFailures = 0;
  /** Unix ms until which the backend takes no traffic; 0 when not ejected. */
  ejectedUntilMs = 0;

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
}

export function healthKey(routeId: string, backendName: string): string {
  return `${routeId}\u0000${backendName}`;
}
