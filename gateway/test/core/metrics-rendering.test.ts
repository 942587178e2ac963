// The request metrics are counted into cached series and handed to prom-client only at scrape
// time. What /metrics shows must be exactly what prom-client's own Counter and Histogram would
// render for the same calls, so the reference below drives prom-client directly.
import { describe, expect, it } from '@jest/globals';
import { Counter, Histogram, Registry } from 'prom-client';
import { AggregatedHistogram } from '../../src/observe/aggregated-histogram.js';
import { GatewayMetrics, type RequestLabels } from '../../src/observe/metrics.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

type Call =
  | { kind: 'attempt'; route: string; backend: string }
  | { kind: 'error'; route: string; backend: string; failure: 'ServerError' | 'Timeout' }
  | { kind: 'ejected'; route: string; backend: string }
  | { kind: 'usage'; labels: RequestLabels; input: number; output: number; cached: number; reasoning: number }
  | { kind: 'firstToken'; labels: RequestLabels; seconds: number }
  | { kind: 'finished'; labels: RequestLabels; status: number; seconds: number };

const answered: RequestLabels = { route: 'default/gpt-4o', backend: 'openai-main', key: 'default/checkout' };
const otherKey: RequestLabels = { route: 'default/gpt-4o', backend: 'openai-main', key: 'team/reporting' };
const failed: RequestLabels = { route: 'default/claude', backend: '', key: 'default/checkout' };

const calls: Call[] = [
  { kind: 'attempt', route: answered.route, backend: answered.backend },
  { kind: 'usage', labels: answered, input: 12, output: 7, cached: 0, reasoning: 0 },
  { kind: 'finished', labels: answered, status: 200, seconds: 0.0004 },
  { kind: 'attempt', route: answered.route, backend: answered.backend },
  { kind: 'usage', labels: answered, input: 30, output: 0, cached: 10, reasoning: 4 },
  { kind: 'firstToken', labels: answered, seconds: 0.12 },
  { kind: 'finished', labels: answered, status: 200, seconds: 2.7 },
  { kind: 'attempt', route: answered.route, backend: answered.backend },
  { kind: 'finished', labels: otherKey, status: 499, seconds: 301 },
  { kind: 'attempt', route: failed.route, backend: 'anthropic-main' },
  { kind: 'error', route: failed.route, backend: 'anthropic-main', failure: 'ServerError' },
  { kind: 'attempt', route: failed.route, backend: 'anthropic-main' },
  { kind: 'error', route: failed.route, backend: 'anthropic-main', failure: 'Timeout' },
  { kind: 'ejected', route: failed.route, backend: 'anthropic-main' },
  { kind: 'finished', labels: failed, status: 502, seconds: 0.05 },
];

/** The same metrics as GatewayMetrics, kept by prom-client's own classes the plain way. */
function referenceRendering(): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'switchyard_requests_total',
    help: 'Requests answered, by route, the backend that answered (empty when none), HTTP status and virtual key id',
    labelNames: ['route', 'backend', 'status', 'key'],
    registers,
  });
  const duration = new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time from request arrival to the last byte of the answer',
    labelNames: ['route', 'backend'],
    buckets: BUCKETS,
    registers,
  });
  const ttft = new Histogram({
    name: 'switchyard_time_to_first_token_seconds',
    help: 'Streaming requests: time from request arrival to the first streamed event sent to the client',
    labelNames: ['route', 'backend'],
    buckets: BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'switchyard_tokens_total',
    help: 'Tokens reported by upstreams, by direction (input includes cached_input; output includes reasoning)',
    labelNames: ['route', 'backend', 'key', 'direction'],
    registers,
  });
  const errors = new Counter({
    name: 'switchyard_upstream_errors_total',
    help: 'Failed upstream attempts, by failure kind',
    labelNames: ['route', 'backend', 'kind'],
    registers,
  });
  const attempts = new Counter({
    name: 'switchyard_upstream_attempts_total',
    help: 'Upstream attempts started',
    labelNames: ['route', 'backend'],
    registers,
  });
  const ejections = new Counter({
    name: 'switchyard_backend_ejections_total',
    help: 'Times outlier detection ejected a backend',
    labelNames: ['route', 'backend'],
    registers,
  });
  for (const call of calls) {
    switch (call.kind) {
      case 'attempt':
        attempts.inc({ route: call.route, backend: call.backend });
        break;
      case 'error':
        errors.inc({ route: call.route, backend: call.backend, kind: call.failure });
        break;
      case 'ejected':
        ejections.inc({ route: call.route, backend: call.backend });
        break;
      case 'usage': {
        const base = { route: call.labels.route, backend: call.labels.backend, key: call.labels.key };
        tokens.inc({ ...base, direction: 'input' }, call.input);
        tokens.inc({ ...base, direction: 'output' }, call.output);
        if (call.cached > 0) tokens.inc({ ...base, direction: 'cached_input' }, call.cached);
        if (call.reasoning > 0) tokens.inc({ ...base, direction: 'reasoning' }, call.reasoning);
        break;
      }
      case 'firstToken':
        ttft.observe({ route: call.labels.route, backend: call.labels.backend }, call.seconds);
        break;
      case 'finished':
        requests.inc({ route: call.labels.route, backend: call.labels.backend, status: String(call.status), key: call.labels.key });
        duration.observe({ route: call.labels.route, backend: call.labels.backend }, call.seconds);
        break;
    }
  }
  return registry.metrics();
}

function gatewayRendering(): Promise<string> {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  for (const call of calls) {
    switch (call.kind) {
      case 'attempt':
        metrics.upstreamAttempt(call.route, call.backend);
        break;
      case 'error':
        metrics.upstreamError(call.route, call.backend, call.failure);
        break;
      case 'ejected':
        metrics.backendEjected(call.route, call.backend);
        break;
      case 'usage':
        metrics.usage(call.labels, {
          inputTokens: call.input,
          outputTokens: call.output,
          cachedInputTokens: call.cached,
          cacheWriteTokens: 0,
          reasoningTokens: call.reasoning,
        });
        break;
      case 'firstToken':
        metrics.firstToken(call.labels, call.seconds);
        break;
      case 'finished':
        metrics.requestStarted();
        metrics.requestFinished(call.labels, call.status, call.seconds);
        break;
    }
  }
  return metrics.render();
}

/** Only the request metrics: the reference has no in-flight gauge or table metrics. */
function requestMetricLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) =>
      /^(# (HELP|TYPE) )?switchyard_(requests_total|request_duration|time_to_first|tokens_total|upstream_|backend_ejections)/.test(line),
    );
}

describe('request metrics rendering', () => {
  it('renders exactly what prom-client renders for the same calls', async () => {
    const [expected, actual] = await Promise.all([referenceRendering(), gatewayRendering()]);
    expect(requestMetricLines(actual)).toEqual(requestMetricLines(expected));
    expect(requestMetricLines(actual).length).toBeGreaterThan(40);
  });

  it('counts requests in flight', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.requestStarted();
    metrics.requestStarted();
    metrics.requestFinished(answered, 200, 0.01);
    expect(await metrics.render()).toContain('switchyard_requests_in_flight 1\n');
  });

  it('exports histogram samples with all their labels to getMetricsAsJSON', async () => {
    const registry = new Registry();
    const histogram = new AggregatedHistogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['route'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    histogram.series({ route: 'r' }).observe(0.5);
    histogram.observe({ route: 'r' }, 5);
    const [json] = await registry.getMetricsAsJSON();
    expect(json?.values).toEqual([
      { value: 0, labels: { le: 0.1, route: 'r' }, metricName: 'h_seconds_bucket' },
      { value: 1, labels: { le: 1, route: 'r' }, metricName: 'h_seconds_bucket' },
      { value: 2, labels: { le: '+Inf', route: 'r' }, metricName: 'h_seconds_bucket' },
      { value: 5.5, labels: { route: 'r' }, metricName: 'h_seconds_sum' },
      { value: 2, labels: { route: 'r' }, metricName: 'h_seconds_count' },
    ]);
  });

  it('zeroes histogram series in place on reset, so held series keep counting', async () => {
    const registry = new Registry();
    const histogram = new AggregatedHistogram({ name: 'h_seconds', help: 'h', labelNames: ['route'], buckets: [1], registers: [registry] });
    const held = histogram.series({ route: 'r' });
    held.observe(0.5);
    registry.resetMetrics();
    held.observe(2);
    expect(await registry.metrics()).toContain(
      'h_seconds_bucket{le="1",route="r"} 0\nh_seconds_bucket{le="+Inf",route="r"} 1\nh_seconds_sum{route="r"} 2\nh_seconds_count{route="r"} 1',
    );
  });
});
