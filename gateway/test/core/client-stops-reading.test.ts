// A client that sends a streaming request and never reads is cut: after the route's
// timeouts.streamIdle without taking a write, or when the route's timeouts.total passes while the
// gateway waits on it. Its slot is freed (the in-flight gauge returns to 0), its upstream stream
// is closed, and a concurrent well-behaved request is served at full speed meanwhile.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY } from '../mocks/openai-mock-server.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { connectRaw } from '../support/raw-http-client.js';
import {
  documents,
  HELLO,
  keyObjects,
  mockBackend,
  openAIBackend,
  openAIClient,
  routeObject,
  secretObject,
  testKey,
} from './core-fixtures.js';

const key = testKey('slowreader');
/** 8 KiB of text per SSE event: the answer outgrows every socket buffer in well under a second. */
const CONTENT = 'x'.repeat(8 * 1024);

async function inFlight(gateway: GatewayProcess): Promise<number> {
  const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  const match = /^switchyard_requests_in_flight (\d+)$/m.exec(metrics);
  return Number(match?.[1] ?? -1);
}

function requestLogged(gateway: GatewayProcess, model: string): boolean {
  return gateway
    .logs()
    .split('\n')
    .some((l) => l.includes('"msg":"request"') && l.includes(`"model":"${model}"`));
}

/** The request log line of the (one) request for `model`, once written. */
async function requestLine(gateway: GatewayProcess, model: string): Promise<string> {
  const find = (): string | undefined =>
    gateway
      .logs()
      .split('\n')
      .find((l) => l.includes('"msg":"request"') && l.includes(`"model":"${model}"`));
  await eventually(async () => find() !== undefined, 5_000);
  return find() ?? '';
}

/**
 * A whole (non-streamed) answer of about 7 MB: more than the socket buffers take from a client
 * that does not read (about 4 MB on loopback), and below any sane cap on upstream answers.
 */
function bigCompletion(): unknown {
  return {
    id: 'big',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'y'.repeat(7_000_000) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1_750_000, total_tokens: 1_750_005 },
  };
}

/** Sends a chat request on a raw socket and never reads the answer. */
async function requestWithoutReading(gateway: GatewayProcess, model: string, stream = true): Promise<Socket> {
  const socket = await connectRaw(Number(new URL(gateway.url).port));
  socket.pause();
  socket.on('error', () => undefined);
  const body = JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'go on forever' }] });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\nauthorization: Bearer ${key}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

describe('a client that stops reading', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;
  let upstreamStreamsOpen = 0;

  beforeAll(async () => {
    // An endless stream of large events, written as fast as the gateway takes them.
    upstream = await startMockHttpServer(async (request, res) => {
      if ((request.json as { stream?: boolean }).stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(bigCompletion()));
        return;
      }
      upstreamStreamsOpen += 1;
      let open = true;
      res.on('close', () => {
        open = false;
        upstreamStreamsOpen -= 1;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      while (open) {
        const chunk = {
          id: 'c1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: { content: CONTENT }, finish_reason: null }],
        };
        if (!res.write(`data: ${JSON.stringify(chunk)}\n\n`)) await new Promise((r) => res.once('drain', r).once('close', r));
      }
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({ name: 'flood', backends: [openAIBackend('flood-upstream', upstream.url)], timeouts: { streamIdle: '2s' } }),
          routeObject({
            name: 'flood-short-total',
            backends: [openAIBackend('flood-upstream', upstream.url)],
            timeouts: { total: '3s', streamIdle: '60s' },
          }),
          routeObject({ name: 'big-answer', backends: [openAIBackend('flood-upstream', upstream.url)], timeouts: { streamIdle: '2s' } }),
          routeObject({ name: 'quick', backends: [mockBackend('quick-backend', { response: 'still fast' })] }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('is cut after the route streamIdle without taking a write, while others are served fast', async () => {
    const sentAt = Date.now();
    const socket = await requestWithoutReading(gateway, 'flood');
    await eventually(async () => (await inFlight(gateway)) === 1, 5_000);

    // Meanwhile a well-behaved caller is served at once.
    const started = Date.now();
    const completion = await openAIClient(gateway, key).chat.completions.create({ model: 'quick', messages: HELLO });
    expect(completion.choices[0]?.message.content).toBe('still fast');
    expect(Date.now() - started).toBeLessThan(1_000);

    // streamIdle is 2 s; the socket buffers fill within a second of the request.
    await eventually(async () => (await inFlight(gateway)) === 0, 10_000);
    const cutAfterMs = Date.now() - sentAt;
    expect(cutAfterMs).toBeGreaterThanOrEqual(2_000);
    expect(cutAfterMs).toBeLessThan(8_000);
    await eventually(async () => upstreamStreamsOpen === 0, 5_000);
    const line = await requestLine(gateway, 'flood');
    expect(line).toContain('"status":408');
    expect(line).toContain('"cut":"write_stall"');
    expect(line).toContain('timeouts.streamIdle');
    // Charged for what was streamed (see shutdown-cut-settlement.test.ts for the amounts).
    expect(line).toContain('"usageEstimated":true');
    socket.destroy();
  });

  it('is cut when the route total timeout passes while the gateway waits on it', async () => {
    const sentAt = Date.now();
    const socket = await requestWithoutReading(gateway, 'flood-short-total');
    await eventually(async () => (await inFlight(gateway)) === 1, 5_000);
    await eventually(async () => (await inFlight(gateway)) === 0, 15_000);
    const cutAfterMs = Date.now() - sentAt;
    // total is 3 s; streamIdle (60 s) never came into it.
    expect(cutAfterMs).toBeGreaterThanOrEqual(2_500);
    expect(cutAfterMs).toBeLessThan(10_000);
    await eventually(async () => upstreamStreamsOpen === 0, 5_000);
    const line = await requestLine(gateway, 'flood-short-total');
    expect(line).toContain('"status":408');
    expect(line).toContain('"cut":"total_timeout"');
    expect(line).toContain('timeouts.total');
    socket.destroy();
  });

  it('has a whole answer it does not read closed after the route streamIdle without progress', async () => {
    const socket = await requestWithoutReading(gateway, 'big-answer', false);
    await eventually(async () => requestLogged(gateway, 'big-answer'), 10_000);
    // Two stall periods (2 s) and a margin without reading, then read what is left.
    await new Promise((r) => setTimeout(r, 5_000));
    let received = 0;
    let closed = false;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    // The gateway's side ends (FIN after what the kernel already held); allowHalfOpen keeps ours open.
    for (const event of ['end', 'close']) socket.on(event, () => (closed = true));
    socket.resume();
    await eventually(async () => closed, 5_000).catch(() => undefined);
    expect(closed).toBe(true);
    // Cut short: the socket buffers' worth arrived, not the 7 MB answer.
    expect(received).toBeLessThan(7_000_000);
    socket.destroy();
  });
});
