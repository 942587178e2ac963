// Whether to trace, read from the standard OpenTelemetry environment variables. This module
// imports nothing from OpenTelemetry: with tracing off, the SDK is never loaded (it costs
// resident memory the gateway does not otherwise need).

type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

export interface TracingConfig {
  /** The URL spans are sent to, without userinfo or query: safe to log. */
  readonly tracesEndpoint: string;
  /** `http/protobuf` unless the environment asks for JSON (the SDK's default too). */
  readonly protocol: OtlpHttpProtocol;
  /** `OTEL_SERVICE_NAME`, else `service.name` from `OTEL_RESOURCE_ATTRIBUTES`, else `switchyard-gateway`. */
  readonly serviceName: string;
}

export const DEFAULT_SERVICE_NAME = 'switchyard-gateway';

/** A tracing variable set to something the gateway cannot honour; the gateway refuses to start. */
export class TracingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingConfigError';
  }
}

/**
 * The tracing configuration, or undefined when tracing is off: no OTLP endpoint is set,
 * `OTEL_SDK_DISABLED=true`, or `OTEL_TRACES_EXPORTER=none`.
 */
export function tracingConfigFromEnv(env: Readonly<Record<string, string | undefined>>): TracingConfig | undefined {
  if (nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return undefined;
  const exporters = (nonEmpty(env.OTEL_TRACES_EXPORTER) ?? 'otlp')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  if (exporters.includes('none')) return undefined;
  const tracesEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const baseEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (tracesEndpoint === undefined && baseEndpoint === undefined) return undefined;

  const unsupported = exporters.filter((name) => name !== 'otlp');
  if (unsupported.length > 0)
    throw new TracingConfigError(`OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER ?? ''}: only "otlp" (or "none") is supported`);
  // The per-signal variable is used as given; the base one gets the signal path (OTLP spec).
  const endpointVariable = tracesEndpoint !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = tracesEndpoint ?? `${(baseEndpoint as string).replace(/\/+$/, '')}/v1/traces`;
  return {
    tracesEndpoint: displayEndpoint(endpoint, endpointVariable),
    protocol: protocolFromEnv(env),
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? serviceNameAttribute(env.OTEL_RESOURCE_ATTRIBUTES) ?? DEFAULT_SERVICE_NAME,
  };
}

function protocolFromEnv(env: Readonly<Record<string, string | undefined>>): OtlpHttpProtocol {
  const variable =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = nonEmpty(env[variable]);
  if (value === undefined || value === 'http/protobuf') return 'http/protobuf';
  if (value === 'http/json') return 'http/json';
  throw new TracingConfigError(
    `${variable}=${value}: the gateway exports traces over OTLP/HTTP only; use "http/protobuf" (the default) or "http/json"`,
  );
}

function displayEndpoint(endpoint: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TracingConfigError(`${variable} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TracingConfigError(`${variable} must be an http:// or https:// URL, not ${url.protocol}`);
  return `${url.origin}${url.pathname}`;
}

/** `service.name` from a `key=value,key=value` list (values percent-encoded, per the spec). */
function serviceNameAttribute(resourceAttributes: string | undefined): string | undefined {
  if (resourceAttributes === undefined) return undefined;
  for (const pair of resourceAttributes.split(',')) {
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== 'service.name') continue;
    const raw = pair.slice(equals + 1).trim();
    try {
      return nonEmpty(decodeURIComponent(raw));
    } catch {
      return nonEmpty(raw);
    }
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed.length === 0 ? undefined : trimmed;
}
