// /healthz and /readyz on both ports; /metrics on the admin port only, with request, latency,
// time-to-first-token, token and upstream-error series.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, openAIClient, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('metrics');

describe('health, readiness and metrics', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'metrics-key', key }),
          routeObject({ name: 'measured', backends: [mockBackend('measured-backend')] }),
          routeObject({ name: 'always-failing', retry: { attempts: 1 }, backends: [mockBackend('failing-backend', { failureRate: '1' })] }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it.each(['url', 'adminUrl'] as const)('answers /healthz and /readyz on %s', async (which) => {
    const health = await fetch(`${gateway[which]}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${gateway[which]}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', tableVersion: expect.any(Number) });
  });

  it('does not serve /metrics on the public port', async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
  });

  it('exposes request, latency, token and upstream-error metrics on the admin port', async () => {
    await postJson(gateway, '/v1/chat/completions', key, { model: 'measured', messages: HELLO });
    const stream = await openAIClient(gateway, key).chat.completions.create({ model: 'measured', messages: HELLO, stream: true });
    for await (const chunk of stream) void chunk;
    await postJson(gateway, '/v1/chat/completions', key, { model: 'always-failing', messages: HELLO });

    const response = await fetch(`${gateway.adminUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain(
      'switchyard_requests_total{route="default/measured",backend="measured-backend",status="200",key="default/metrics-key"} 2',
    );
    expect(text).toContain('switchyard_requests_total{route="default/always-failing",backend="",status="502",key="default/metrics-key"} 1');
    expect(text).toMatch(/switchyard_request_duration_seconds_count\{route="default\/measured",backend="measured-backend"\} 2/);
    expect(text).toMatch(/switchyard_time_to_first_token_seconds_count\{route="default\/measured",backend="measured-backend"\} 1/);
    expect(text).toMatch(
      /switchyard_tokens_total\{route="default\/measured",backend="measured-backend",key="default\/metrics-key",direction="input"\} 4/,
    );
    expect(text).toMatch(
      /switchyard_tokens_total\{route="default\/measured",backend="measured-backend",key="default\/metrics-key",direction="output"\} \d+/,
    );
    expect(text).toContain(
      'switchyard_upstream_errors_total{route="default/always-failing",backend="failing-backend",kind="ServerError"} 1',
    );
    expect(text).toMatch(/switchyard_routing_table_info\{version="\d+",hash="[0-9a-f]+"\} 1/);
    expect(text).not.toContain(key);
  });
});
