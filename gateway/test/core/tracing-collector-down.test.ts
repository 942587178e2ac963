// A collector that is down never fails or slows requests: with the endpoint on a closed port
// every request succeeds, the failure is logged once (rate-limited) naming the endpoint without
// its credentials, and a collector that accepts but never answers does not hold the exit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { startGateway } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('tracingdown');
const manifests = { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'm', backends: [mockBackend('b')] })) };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('collector down', () => {
  let blackhole: Server;
  let blackholePort: number;
  const held = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers.
    blackhole = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    blackholePort = (blackhole.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((r) => blackhole.close(() => r()));
  });

  it('closed port: requests succeed, one log line names the endpoint without credentials', async () => {
    const port = await closedPort();
    const gateway = await startGateway({
      manifests,
      // A short export timeout so the exporter gives up on its retries within the test.
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://collector-user:collector-pass@127.0.0.1:${port}`,
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
      },
    });
    try {
      const started = performance.now();
      for (let i = 0; i < 30; i++) {
        const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
        expect(response.status).toBe(200);
        // Spread the requests over several export cycles.
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 100));
      }
      // 30 mock requests take a few ms each; a blocked exporter would show as seconds.
      expect(performance.now() - started).toBeLessThan(5_000);
      const deadline = Date.now() + 5_000;
      while (!gateway.logs().includes('trace export failed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await gateway.stop();
    }
    const lines = gateway
      .logs()
      .split('\n')
      .filter((line) => line.includes('trace export failed'));
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string) as { level: string; endpoint: string };
    expect(record.level).toBe('warn');
    expect(record.endpoint).toBe(`http://127.0.0.1:${port}/v1/traces`);
    expect(gateway.logs()).not.toContain('collector-pass');
  }, 60_000);

  it('a collector that never answers does not hold shutdown beyond its bound', async () => {
    const gateway = await startGateway({
      manifests,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${blackholePort}`, OTEL_BSP_SCHEDULE_DELAY: '60000' },
    });
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
    expect(response.status).toBe(200);
    const exited = new Promise<number | null>((r) => gateway.process.once('exit', (code) => r(code)));
    const started = performance.now();
    await gateway.stop();
    const code = await exited.catch(() => gateway.process.exitCode);
    const elapsed = performance.now() - started;
    expect(code ?? gateway.process.exitCode).toBe(0);
    // The tracing bound is 2 s; the exporter's own timeout (10 s) would be far longer.
    expect(elapsed).toBeLessThan(4_000);
    expect(gateway.logs()).toContain('tracing shutdown timed out');
  }, 60_000);
});
