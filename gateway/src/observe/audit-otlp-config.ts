// Where `--audit-otlp` sends audit records: the OTLP endpoint the standard OpenTelemetry
// variables name (the one traces go to), on the logs signal path, with the headers they name.
// Read without loading OpenTelemetry: the export is a plain JSON POST.

export interface AuditOtlpTarget {
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
}

/** The logs endpoint, or an error message naming the variables to set. */
export function auditOtlpTarget(env: Readonly<Record<string, string | undefined>>): AuditOtlpTarget | string {
  const logsEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
  const baseEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  // The per-signal variable is used as given; the base one gets the signal path (OTLP spec).
  const endpoint = logsEndpoint ?? (baseEndpoint === undefined ? undefined : `${baseEndpoint.replace(/\/+$/, '')}/v1/logs`);
  if (endpoint === undefined) return '--audit-otlp needs OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `--audit-otlp: ${logsEndpoint !== undefined ? 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--audit-otlp: the OTLP endpoint must be http:// or https://`;
  return {
    endpoint,
    headers: { ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaders(env.OTEL_EXPORTER_OTLP_LOGS_HEADERS) },
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? 'switchyard-gateway',
  };
}

/** `key=value,key=value`, values percent-encoded (the OTLP exporter specification). */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const name = pair.slice(0, equals).trim().toLowerCase();
    const raw = pair.slice(equals + 1).trim();
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    if (name.length > 0) headers[name] = value;
  }
  return headers;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed.length === 0 ? undefined : trimmed;
}
