// Standalone reload: a valid change is served without a restart and without failing a request
// in flight; an invalid change is rejected with one log line and the last good table serves on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('reload');

function routes(answer: string, extra: unknown[] = []): string {
  return documents(
    routeObject({ name: 'steady', backends: [mockBackend('steady-backend', { response: answer, latency: '5ms' })] }),
    ...extra,
  );
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

function contentOf(json: unknown): string | undefined {
  return (json as { choices?: Array<{ message: { content: string } }> }).choices?.[0]?.message.content;
}

describe('hot reload', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'keys.yaml': documents(...keyObjects({ name: 'k', key })), 'routes.yaml': routes('version one') },
    });
  });
  afterAll(async () => gateway?.stop());

  it('serves a valid change without dropping a request under load', async () => {
    let stop = false;
    const statuses: number[] = [];
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) statuses.push((await postJson(gateway, '/v1/chat/completions', key, { model: 'steady', messages: HELLO })).status);
    });
    for (const version of ['version two', 'version three']) {
      await gateway.writeManifest(
        'routes.yaml',
        routes(version, [routeObject({ name: `added-${version.replace(' ', '-')}`, backends: [mockBackend('added')] })]),
      );
      await waitFor(
        async () =>
          contentOf((await postJson(gateway, '/v1/chat/completions', key, { model: 'steady', messages: HELLO })).json) === version,
        10_000,
      );
    }
    stop = true;
    await Promise.all(load);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await postJson(gateway, '/v1/chat/completions', key, { model: 'added-version-three', messages: HELLO })).status).toBe(200);
    expect(gateway.logs()).toContain('"msg":"routing table reloaded"');
  });

  it('rejects an invalid change with a clear log line and keeps the last good table', async () => {
    const before = gateway.logs().length;
    await gateway.writeManifest(
      'routes.yaml',
      documents(routeObject({ name: 'steady', backends: [{ ...mockBackend('broken'), weight: -5 }] })),
    );
    await waitFor(async () => gateway.logs().slice(before).includes('configuration change rejected'), 10_000);
    const line =
      gateway
        .logs()
        .slice(before)
        .split('\n')
        .find((l) => l.includes('configuration change rejected')) ?? '';
    expect(line).toMatch(/routes\.yaml/);
    expect(line).toMatch(/weight/);
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'steady', messages: HELLO });
    expect(response.status).toBe(200);
    expect(contentOf(response.json)).toBe('version three');
  });

  it('recovers when the file is fixed', async () => {
    await gateway.writeManifest('routes.yaml', routes('version four'));
    await waitFor(
      async () =>
        contentOf((await postJson(gateway, '/v1/chat/completions', key, { model: 'steady', messages: HELLO })).json) === 'version four',
      10_000,
    );
  });
});
