// Readiness follows the routing table: a gateway without one answers /readyz 503 on both ports
// and 503 `not_ready` to requests; loading a table makes it ready; draining makes it unready.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GatewayMetrics } from '../../src/observe/metrics.js';
import { createLogger } from '@switchyard/compiler';
import { admitWithoutLimits } from '../../src/governance/admission-control.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { startGatewayServer, type RunningGateway } from '../../src/server/gateway-server.js';
import { TableHolder } from '../../src/table/table-holder.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';
import { compiledBackend, compiledKey, compiledRoute, routingTable } from './table-fixtures.js';

const key = 'sk-sy-readiness0123456789abcdefghijklmnop';

describe('readiness', () => {
  const tables = new TableHolder(createProviderRegistry());
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  let gateway: RunningGateway;
  const base = (port: number) => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    gateway = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      deps: {
        tables,
        transport,
        metrics: new GatewayMetrics({ defaultMetrics: false }),
        logger: createLogger({ write: () => undefined }),
        admission: admitWithoutLimits,
        maxBodyBytes: 1 << 20,
        random: Math.random,
      },
    });
  });
  afterAll(async () => {
    await gateway?.close(100);
    await transport.close();
  });

  const chat = () =>
    fetch(`${base(gateway.port)}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'ready', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('is live but not ready before a table is loaded', async () => {
    for (const port of [gateway.port, gateway.adminPort]) {
      expect((await fetch(`${base(port)}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base(port)}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'no routing table loaded' });
    }
    const response = await chat();
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'not_ready' } });
  });

  it('becomes ready and serves once a table is loaded', async () => {
    tables.load(routingTable([compiledRoute('ready', [compiledBackend('m')])], [compiledKey('k', key)], 7));
    const ready = await fetch(`${base(gateway.adminPort)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', tableVersion: 7 });
    expect((await chat()).status).toBe(200);
  });

  it('reports draining as not ready while it finishes the requests in flight', async () => {
    tables.load(
      routingTable(
        [compiledRoute('ready', [compiledBackend('slow', { mock: { latencyMs: 400, failureRate: 0 } })])],
        [compiledKey('k', key)],
        8,
      ),
    );
    const inFlight = chat();
    await new Promise((r) => setTimeout(r, 100));
    const closing = gateway.close(5_000);
    const ready = await fetch(`${base(gateway.adminPort)}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    expect((await inFlight).status).toBe(200);
    await closing;
  });
});
