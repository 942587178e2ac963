// What the pipeline needs from the process, built once at startup.
import type { ResponseCacheService } from '../cache/response-cache-service.js';
import type { CostObserver } from '../governance/cost/exchange-cost.js';
import type { Logger } from '@switchyard/compiler';
import type { AuditLog } from '../observe/audit-log.js';
import type { GatewayMetrics } from '../observe/metrics.js';
import type { RequestTracer } from '../observe/tracing/request-tracer.js';
import type { TrafficSummary } from '../observe/traffic-summary.js';
import type { TableHolder } from '../table/table-holder.js';
import type { UpstreamTransport } from '../transport/upstream-transport.js';
import type { AdmissionControl } from '../governance/admission-control.js';
import type { McpEndpointOptions } from '../mcp/mcp-server.js';
import type { TokenAuthenticator } from '../governance/identity/token-authenticator.js';
import type { ExtraStages } from './stages.js';
import type { BatchServices } from './batches/batch-store.js';

export interface PipelineDeps {
  tables: TableHolder;
  transport: UpstreamTransport;
  metrics: GatewayMetrics;
  logger: Logger;
  admission: AdmissionControl;
  /** Receives each answered request's cost (the cost metric); absent, costs still reach headers and logs. */
  costs?: CostObserver;
  /** The request audit log (--audit-log, --audit-otlp); absent, no audit records are made. */
  audit?: AuditLog;
  /** Cluster mode: what the operator's console shows of this gateway's traffic; absent in standalone mode. */
  traffic?: TrafficSummary;
  /** Present only when tracing is configured; absent, the pipeline makes no spans. */
  tracer?: RequestTracer;
  /** The exact response cache for routes with `spec.cache`; absent (--cache-max-bytes 0), nothing is cached. */
  cache?: ResponseCacheService;
  maxBodyBytes: number;
  /** Largest audio upload (--max-audio-upload-bytes); undefined: the documented default (audio-operations.ts). */
  maxAudioUploadBytes?: number;
  /** Callers with their own tokens (VirtualKey spec.subjects); absent: only virtual keys' secrets are accepted. */
  tokens?: TokenAuthenticator;
  /** The `/mcp` endpoint's session secret and result bound; absent: a per-process secret and the default bound. */
  mcp?: McpEndpointOptions;
  /** Source of randomness for weights and jitter; tests may pin it. */
  random: () => number;
  /** Files and batches: the store of the ids the gateway issued, and the upload limits; absent: in memory, default limits. */
  batches?: BatchServices;
  /**
   * The passthrough fast path (passthrough.ts); false forces every request onto the normal
   * path. Absent: on, unless the environment has SWITCHYARD_PASSTHROUGH=off (tests comparing the two paths).
   */
  passthrough?: boolean;
  /** Checks and stream transformers beyond those composed in pipeline.ts (tests add toy stages here). */
  extraStages?: ExtraStages;
}
