// Prometheus metrics for the operator, on their own registry.
import { buildInfo } from '@switchyard/compiler';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'result'>;
  readonly watchErrors: Counter<'resource' | 'reason'>;
  readonly queueDepth: Gauge;
  readonly connectedGateways: Gauge;
  readonly tableVersion: Gauge;
  readonly tableBytes: Gauge<'encoding'>;
  readonly tableObjects: Gauge<'kind'>;
  readonly compiles: Counter<'result'>;
  readonly compileDuration: Histogram;
  readonly statusWrites: Counter<'result'>;
  readonly secretsCreated: Counter;
  readonly leader: Gauge;
  readonly tablesSent: Counter;
  readonly streamAuthFailures: Counter<'status'>;
  readonly acknowledgedVersion: Gauge;
  readonly eventsDropped: Counter;
  readonly servingCertificateExpiry: Gauge<'serial'>;
  readonly servingCertificateReloads: Counter<'result'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    // Named like the gateway's, not switchyard_operator_*: one query finds every component's build.
    const build = buildInfo();
    new Gauge({
      name: 'switchyard_build_info',
      help: 'The running build (value 1): version from package.json, Node.js version, component',
      labelNames: ['version', 'node_version', 'component'],
      registers,
    }).set({ version: build.version, node_version: build.nodeVersion, component: 'operator' }, 1);
    this.reconciles = new Counter({
      name: 'switchyard_operator_reconciles_total',
      help: 'Object reconciles run from the work queue, by result',
      labelNames: ['result'],
      registers,
    });
    this.watchErrors = new Counter({
      name: 'switchyard_operator_watch_errors_total',
      help: 'List and watch failures, by resource and reason (list, watch, gone = 410 relist, stalled = inactivity timeout)',
      labelNames: ['resource', 'reason'],
      registers,
    });
    this.queueDepth = new Gauge({ name: 'switchyard_operator_queue_depth', help: 'Keys waiting in the work queue', registers });
    this.connectedGateways = new Gauge({
      name: 'switchyard_operator_connected_gateways',
      help: "Gateways connected to this replica's table stream",
      registers,
    });
    this.tableVersion = new Gauge({
      name: 'switchyard_operator_table_version',
      help: 'Version of the routing table this replica serves',
      registers,
    });
    this.tableBytes = new Gauge({
      name: 'switchyard_operator_table_bytes',
      help: 'Size of the current routing table, as JSON and as sent (gzip)',
      labelNames: ['encoding'],
      registers,
    });
    this.tableObjects = new Gauge({
      name: 'switchyard_operator_table_objects',
      help: 'Objects in the current routing table, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.compiles = new Counter({
      name: 'switchyard_operator_compiles_total',
      help: 'Routing table compiles, by result (changed, unchanged, error)',
      labelNames: ['result'],
      registers,
    });
    this.compileDuration = new Histogram({
      name: 'switchyard_operator_compile_duration_seconds',
      help: 'Time to compile the whole routing table',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.statusWrites = new Counter({
      name: 'switchyard_operator_status_writes_total',
      help: 'Status subresource writes, by result',
      labelNames: ['result'],
      registers,
    });
    this.secretsCreated = new Counter({
      name: 'switchyard_operator_key_secrets_created_total',
      help: 'Secrets created with a fresh virtual key',
      registers,
    });
    this.leader = new Gauge({ name: 'switchyard_operator_leader', help: '1 while this replica holds the leader lease', registers });
    this.tablesSent = new Counter({
      name: 'switchyard_operator_tables_sent_total',
      help: 'Routing tables written to gateway streams',
      registers,
    });
    this.streamAuthFailures = new Counter({
      name: 'switchyard_operator_stream_auth_failures_total',
      help: 'Table stream requests refused, by HTTP status',
      labelNames: ['status'],
      registers,
    });
    this.acknowledgedVersion = new Gauge({
      name: 'switchyard_operator_acknowledged_table_version',
      help: 'Newest table version every connected gateway acknowledged (0: none)',
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'switchyard_operator_events_dropped_total',
      help: 'Events not sent because of the event rate limit',
      registers,
    });
    this.servingCertificateExpiry = new Gauge({
      name: 'switchyard_operator_serving_certificate_expiry_timestamp_seconds',
      // Labelled so that without TLS there is no series at all (an unlabelled gauge would read 0, "expired").
      help: "Not-after of the table stream's serving certificate, in Unix seconds, labelled with its serial (no series without TLS)",
      labelNames: ['serial'],
      registers,
    });
    this.servingCertificateReloads = new Counter({
      name: 'switchyard_operator_serving_certificate_reloads_total',
      help: 'Serving certificate changes seen on disk, by result (success: now served; error: refused, the previous one keeps serving)',
      labelNames: ['result'],
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_operator_' });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
