// A loopback OTLP/HTTP trace receiver for tests. It decodes OTLP JSON (the gateway under test
// runs with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json) into flat span records, and keeps raw
// protobuf bodies as they came, for tests of the default protocol.
//
//   const collector = await startOtlpCollector();
//   env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }
//   const spans = await collector.waitForSpans((all) => all.some(...));
//   collector.rawBodies    // every POST body, for "is this anywhere in what was exported" checks
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

type ScalarValue = string | number | boolean;
type AttributeValue = ScalarValue | ScalarValue[];

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; timeUnixNano: bigint; attributes: Record<string, AttributeValue> }>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const STATUS_ERROR = 2;

export interface OtlpCollector {
  url: string;
  readonly spans: CollectedSpan[];
  /** Every request received (path, headers, raw body). */
  readonly requests: RecordedRequest[];
  /** Resolves with all spans once `done` holds for them; rejects after `timeoutMs`. */
  waitForSpans(done: (spans: readonly CollectedSpan[]) => boolean, timeoutMs?: number): Promise<CollectedSpan[]>;
  /** The span the gateway made for a request (by its `x-request-id`), once it arrives. */
  spanOfRequest(requestId: string | string[] | null | undefined): Promise<CollectedSpan>;
  /** The OTEL_* variables that point a gateway at this collector (OTLP/HTTP JSON, a 50 ms batch delay). */
  readonly gatewayEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const server: MockHttpServer = await startMockHttpServer((request, res) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    const contentType = String(request.headers['content-type'] ?? '');
    if (contentType.startsWith('application/json')) {
      spans.push(...decodeTraceRequest(request.json));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      // An empty ExportTraceServiceResponse in protobuf is zero bytes.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    }
  });
  const ofRequest = (requestId: string | string[] | null | undefined) => (span: CollectedSpan) =>
    span.attributes['switchyard.request_id'] === requestId;
  const collector: OtlpCollector = {
    url: server.url,
    spans,
    requests: server.requests,
    gatewayEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: server.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' },
    async spanOfRequest(requestId) {
      const all = await collector.waitForSpans((collected) => collected.some(ofRequest(requestId)));
      return all.find(ofRequest(requestId)) as CollectedSpan;
    },
    async waitForSpans(done, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(spans)) {
        if (Date.now() > deadline)
          throw new Error(
            `collector: condition not met within ${timeoutMs} ms; received ${spans.length} spans: ${spans.map((s) => s.name).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
      return [...spans];
    },
    close: () => server.close(),
  };
  return collector;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

function scalarOf(v: OtlpAnyValue): ScalarValue | undefined {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return undefined;
}

function attributesOf(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list as OtlpKeyValue[]) {
    const v = entry.value ?? {};
    // Arrays of scalars (homogeneous, as the OpenTelemetry API allows them on attributes).
    if (v.arrayValue !== undefined) out[entry.key] = (v.arrayValue.values ?? []).map((item) => scalarOf(item) ?? '');
    else {
      const scalar = scalarOf(v);
      if (scalar !== undefined) out[entry.key] = scalar;
    }
  }
  return out;
}

function nanos(value: unknown): bigint {
  if (typeof value === 'string' || typeof value === 'number') return BigInt(value);
  // { low, high } long bits
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: number; high: number };
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  return 0n;
}

/** Flattens an OTLP JSON ExportTraceServiceRequest. */
function decodeTraceRequest(body: unknown): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  const resourceSpans = (body as { resourceSpans?: unknown[] } | undefined)?.resourceSpans ?? [];
  for (const rs of resourceSpans as Array<{ resource?: { attributes?: unknown }; scopeSpans?: unknown[] }>) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as Array<{ scope?: { name?: string }; spans?: unknown[] }>) {
      for (const raw of (ss.spans ?? []) as Array<Record<string, unknown>>) {
        const status = (raw.status ?? {}) as { code?: number; message?: string };
        out.push({
          traceId: String(raw.traceId ?? ''),
          spanId: String(raw.spanId ?? ''),
          parentSpanId: String(raw.parentSpanId ?? ''),
          name: String(raw.name ?? ''),
          kind: Number(raw.kind ?? 0),
          startTimeUnixNano: nanos(raw.startTimeUnixNano),
          endTimeUnixNano: nanos(raw.endTimeUnixNano),
          attributes: attributesOf(raw.attributes),
          events: ((raw.events ?? []) as Array<{ name?: string; timeUnixNano?: unknown; attributes?: unknown }>).map((e) => ({
            name: String(e.name ?? ''),
            timeUnixNano: nanos(e.timeUnixNano),
            attributes: attributesOf(e.attributes),
          })),
          status: { code: Number(status.code ?? 0), message: String(status.message ?? '') },
          resource,
          scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}
