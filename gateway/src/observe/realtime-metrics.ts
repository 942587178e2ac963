// Metrics of realtime sessions (GET /v1/realtime), registered beside the gateway's others:
// sessions open now, how long sessions lasted and how they ended, and events relayed each way.
// Sessions also count as requests (switchyard_requests_total, status 101), with their tokens in
// the token counters and their responses' cost in the cost counter, like chat.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type RealtimeDirection = 'client' | 'upstream';

export interface RealtimeSessionLabels {
  route: string;
  backend: string;
  key: string;
}

export class RealtimeMetrics {
  private open = 0;
  private readonly duration: Histogram<'route' | 'backend' | 'outcome'>;
  private readonly events: Counter<'route' | 'backend' | 'direction'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const self = this;
    new Gauge({
      name: 'switchyard_realtime_sessions_open',
      help: 'Realtime sessions (GET /v1/realtime) open now, relayed between a caller and an upstream',
      registers,
      collect() {
        this.set(self.open);
      },
    });
    this.duration = new Histogram({
      name: 'switchyard_realtime_session_duration_seconds',
      help: 'How long realtime sessions lasted, from the upgrade to the close, by route, backend and outcome (closed, budget_exceeded, idle, frame_too_large, upstream_closed, upstream_error, shutdown)',
      labelNames: ['route', 'backend', 'outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.events = new Counter({
      name: 'switchyard_realtime_events_total',
      help: 'Realtime events relayed, by route, backend and direction (client: caller to upstream; upstream: upstream to caller)',
      labelNames: ['route', 'backend', 'direction'],
      registers,
    });
  }

  sessionOpened(): void {
    this.open += 1;
  }

  sessionClosed(labels: RealtimeSessionLabels, outcome: string, seconds: number): void {
    this.open -= 1;
    this.duration.observe({ route: labels.route, backend: labels.backend, outcome }, seconds);
  }

  eventsRelayed(labels: RealtimeSessionLabels, direction: RealtimeDirection, count: number): void {
    this.events.inc({ route: labels.route, backend: labels.backend, direction }, count);
  }
}

const byRegistry = new WeakMap<Registry, RealtimeMetrics>();

/** One instance per registry: a second pipeline on the same metrics shares it (prom-client refuses duplicate names). */
export function realtimeMetricsFor(registry: Registry): RealtimeMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics === undefined) {
    metrics = new RealtimeMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
