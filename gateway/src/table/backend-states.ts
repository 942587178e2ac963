// The backends of the serving table worth showing in the operator's console: ejected by outlier
// detection, with requests in flight, or with requests queued for a slot. The rest are healthy
// and idle, and are left out so a report stays small however many backends the table holds.
import { TRAFFIC_LIMITS, type BackendState } from '@switchyard/compiler';
import type { RuntimeTable } from './runtime-table.js';

export function notableBackendStates(table: RuntimeTable | undefined, nowMs: number): BackendState[] {
  const states: BackendState[] = [];
  if (table === undefined) return states;
  for (const route of table.routes.values()) {
    for (const backend of route.backendsByName.values()) {
      const health = backend.health;
      const ejected = health.isEjected(nowMs);
      if (!ejected && health.inFlight === 0 && health.queued === 0) continue;
      states.push({ route: route.id, backend: backend.name, ejected, inFlight: health.inFlight, queued: health.queued });
      if (states.length >= TRAFFIC_LIMITS.backendStates) return states;
    }
  }
  return states;
}
