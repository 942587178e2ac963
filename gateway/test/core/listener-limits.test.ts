// --headers-timeout, --request-timeout and --max-connections, driven with raw sockets against
// the gateway process: a client that trickles its headers is answered 408 and closed near the
// configured deadline, a request whose body never finishes is answered 408 naming the limit,
// and connections over the cap are closed at once and counted, while the gateway keeps serving.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../support/gateway-process.js';
import { startGateway } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('listenerlimits');
const manifests = {
  'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })),
};

interface RawConnection {
  socket: Socket;
  /** Everything the gateway sent so far. */
  received(): string;
  /** Resolves with the elapsed milliseconds since open when the gateway closes the connection. */
  closed: Promise<number>;
}

async function open(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', () => {});
  const openedAt = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - openedAt)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function metrics(gateway: GatewayProcess): Promise<string> {
  return (await fetch(`${gateway.adminUrl}/metrics`)).text();
}

describe('client deadlines (--headers-timeout, --request-timeout)', () => {
  const HEADERS_TIMEOUT_MS = 1_000;
  const REQUEST_TIMEOUT_MS = 2_000;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests,
      args: ['--headers-timeout', `${HEADERS_TIMEOUT_MS}ms`, '--request-timeout', `${REQUEST_TIMEOUT_MS}ms`],
    });
  });
  afterAll(async () => gateway?.stop());

  it('answers 408 and closes a connection that trickles its headers, near --headers-timeout', async () => {
    const raw = await open(gateway.url);
    raw.socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n');
    // One header byte every 100 ms: each write is progress, none completes the headers.
    const trickle = setInterval(() => {
      if (!raw.socket.destroyed) raw.socket.write('x');
    }, 100);
    const elapsed = await raw.closed;
    clearInterval(trickle);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    // The deadline is checked on a tenth of it: well within a second past it, not the 73 s of old.
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(raw.received()).toContain(`${HEADERS_TIMEOUT_MS} ms limit (--headers-timeout)`);
  });

  it('closes a connection that never sends a byte at the same deadline', async () => {
    const raw = await open(gateway.url);
    const elapsed = await raw.closed;
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
  });

  it('answers 408 naming --request-timeout when a chunked body never finishes, and keeps serving', async () => {
    const before = metricValue(await metrics(gateway), 'switchyard_client_timeouts_total{phase="body"}');
    const raw = await open(gateway.url);
    raw.socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n' +
        `authorization: Bearer ${key}\r\ntransfer-encoding: chunked\r\n\r\n`,
    );
    const part = '{"model":"echo","messages":[';
    raw.socket.write(`${part.length.toString(16)}\r\n${part}\r\n`);
    const elapsed = await raw.closed;
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(raw.received().slice(raw.received().indexOf('\r\n\r\n') + 4)) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('request_timeout');
    expect(body.error.message).toContain(`${REQUEST_TIMEOUT_MS} ms limit (--request-timeout)`);
    expect(metricValue(await metrics(gateway), 'switchyard_client_timeouts_total{phase="body"}')).toBe(
      (Number.isNaN(before) ? 0 : before) + 1,
    );
    expect((await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: HELLO })).status).toBe(200);
  });

  it("answers headers over node:http's size limit with 431 and a request that does not parse with 400, and keeps serving", async () => {
    const large = await open(gateway.url);
    large.socket.write(`GET /healthz HTTP/1.1\r\nhost: gateway\r\nx-padding: ${'p'.repeat(20 * 1024)}\r\n\r\n`);
    await large.closed;
    expect(large.received()).toMatch(/^HTTP\/1\.1 431 /);
    const garbage = await open(gateway.url);
    garbage.socket.write('NOT HTTP AT ALL\r\n\r\n');
    await garbage.closed;
    expect(garbage.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('does not cut a request whose body arrived in time, even when answering takes longer than --request-timeout', async () => {
    const slow = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({ name: 'slow', backends: [mockBackend('m', { latency: '1500ms' })] }),
        ),
      },
      args: ['--headers-timeout', '500ms', '--request-timeout', '1s'],
    });
    try {
      const response = await postJson(slow, '/v1/chat/completions', key, { model: 'slow', messages: HELLO });
      expect(response.status).toBe(200);
    } finally {
      await slow.stop();
    }
  });
});

describe('connection cap (--max-connections)', () => {
  const CAP = 3;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({ manifests, args: ['--max-connections', String(CAP), '--headers-timeout', '30s'] });
  });
  afterAll(async () => gateway?.stop());

  it('closes connections over the cap as soon as they are accepted, counts them, and serves again once one closes', async () => {
    const before = metricValue(await metrics(gateway), 'switchyard_connections_refused_total');
    const held: RawConnection[] = [];
    for (let i = 0; i < CAP; i++) {
      const raw = await open(gateway.url);
      // A whole request on each proves the gateway accepted it and holds it (keep-alive).
      raw.socket.write('GET /healthz HTTP/1.1\r\nhost: gateway\r\n\r\n');
      const deadline = Date.now() + 5_000;
      while (!raw.received().includes('"status":"ok"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(raw.received()).toMatch(/^HTTP\/1\.1 200 /);
      held.push(raw);
    }
    expect(metricValue(await metrics(gateway), 'switchyard_connections_open')).toBe(CAP);

    const refused = await Promise.all([open(gateway.url), open(gateway.url)]);
    for (const raw of refused) raw.socket.write('GET /healthz HTTP/1.1\r\nhost: gateway\r\n\r\n');
    const elapsed = await Promise.all(refused.map((raw) => raw.closed));
    for (const raw of refused) expect(raw.received()).toBe('');
    // Closed at accept, not by a timeout.
    for (const ms of elapsed) expect(ms).toBeLessThan(5_000);
    expect(metricValue(await metrics(gateway), 'switchyard_connections_refused_total')).toBe((Number.isNaN(before) ? 0 : before) + 2);

    held[0]?.socket.destroy();
    await held[0]?.closed;
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      const raw = await open(gateway.url);
      raw.socket.write('GET /healthz HTTP/1.1\r\nhost: gateway\r\nconnection: close\r\n\r\n');
      await raw.closed;
      status = /^HTTP\/1\.1 200 /.test(raw.received()) ? 200 : 0;
    }
    expect(status).toBe(200);
    for (const raw of held) raw.socket.destroy();
  });
});
