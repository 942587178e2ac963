// Starts the OpenTelemetry Node SDK for traces only. Everything OpenTelemetry is imported here
// dynamically, so a gateway without tracing configured never loads it.
//
// The SDK is configured for what the gateway does: no auto-instrumentation (spans are made by
// hand in the pipeline), no OpenTelemetry metrics or logs (Prometheus and JSON lines cover
// those), one batch span processor (tuned by the OTEL_BSP_* variables) in front of an OTLP/HTTP
// exporter (endpoint, headers, timeout and compression from the OTEL_EXPORTER_OTLP_* variables),
// the sampler from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, propagators from
// OTEL_PROPAGATORS (W3C trace context and baggage by default).
import type { Logger } from '@switchyard/compiler';
import { FailureLoggingSpanExporter } from './export-failure-log.js';
import type { RequestTracer } from './request-tracer.js';
import type { TracingConfig } from './tracing-config.js';

export interface Tracing {
  readonly tracer: RequestTracer;
  /** Exports what is queued and stops the SDK, giving up after `timeoutMs` (a dead collector must not hold the exit). */
  shutdown(timeoutMs: number): Promise<void>;
}

const TRACER_NAME = 'switchyard-gateway';

export async function startTracing(
  config: TracingConfig,
  logger: Logger,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Tracing> {
  const [{ NodeSDK }, api, resources, exporters, { createOtelRequestTracer }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/api'),
    import('@opentelemetry/resources'),
    config.protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
    import('./otel-request-tracer.js'),
  ]);
  const exporter = new FailureLoggingSpanExporter(new exporters.OTLPTraceExporter(), { endpoint: config.tracesEndpoint, logger });
  // The SDK's default detectors include `process`, whose command line may carry a
  // credential (`--redis-url redis://:password@...`); an explicit OTEL_NODE_RESOURCE_DETECTORS wins.
  const detectors = env.OTEL_NODE_RESOURCE_DETECTORS?.trim()
    ? undefined
    : [resources.serviceInstanceIdDetector, resources.hostDetector, resources.osDetector, resources.envDetector];
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    traceExporter: exporter,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    ...(detectors === undefined ? {} : { resourceDetectors: detectors }),
  });
  sdk.start();
  const tracer = createOtelRequestTracer(api.trace.getTracer(TRACER_NAME));
  return {
    tracer,
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timed out'>((resolveTimeout) => {
        timer = setTimeout(() => resolveTimeout('timed out'), timeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([
        sdk.shutdown().then(
          () => 'done' as const,
          (error: unknown) => error,
        ),
        timedOut,
      ]);
      clearTimeout(timer);
      if (outcome === 'timed out')
        logger.warn('tracing shutdown timed out; unsent spans dropped', { endpoint: config.tracesEndpoint, timeoutMs });
      else if (outcome !== 'done')
        logger.warn('tracing shutdown failed', {
          endpoint: config.tracesEndpoint,
          error: outcome instanceof Error ? outcome.message : String(outcome),
        });
    },
  };
}
