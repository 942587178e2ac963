// Fault injection from the caller's side, all at once: a dozen misbehaving clients (trickled
// headers, silence, a body that never ends, oversized headers, bytes that are not HTTP, a body
// over the limit, a stream nobody reads, a stream abandoned halfway, a request whose sender
// half-closes, a stream of pipelined junk) against one gateway process, while a well-behaved
// caller keeps asking. Each fault gets its own answer (408, 400, 431, 413, a cut connection, a
// served request); the well-behaved caller is served throughout, as fast as before the faults
// started (same-run comparison, generous bound), and the gateway's in-flight gauge returns to 0.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY } from '../mocks/openai-mock-server.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
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
} from '../core/core-fixtures.js';

const key = testKey('clientfaults');
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const MAX_BODY_BYTES = 64 * 1024;

interface Raw {
  socket: Socket;
  received(): string;
  /** Milliseconds from open to the gateway closing the connection. */
  closed: Promise<number>;
}

async function open(gateway: GatewayProcess, allowHalfOpen = false): Promise<Raw> {
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(gateway.url).port), allowHalfOpen });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    if (text.length < 64 * 1024) text += chunk;
  });
  socket.on('error', () => undefined);
  const openedAt = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - openedAt)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

const post = (body: string, extra = ''): string =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\nauthorization: Bearer ${key}\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

async function inFlight(gateway: GatewayProcess): Promise<number> {
  const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  return Number(/^switchyard_requests_in_flight (\d+)$/m.exec(metrics)?.[1] ?? -1);
}

/** The status code of the first response on a connection ('' when none came). */
const statusOf = (raw: Raw): string => /^HTTP\/1\.1 (\d{3}) /.exec(raw.received())?.[1] ?? '';

interface Fault {
  name: string;
  /** Starts misbehaving; resolves with what the test asserts once the fault played out. */
  run(gateway: GatewayProcess): Promise<string>;
  expected: string;
}

const FAULTS: Fault[] = [
  {
    name: 'trickles its headers one byte every 100 ms',
    expected: '408',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n');
      const timer = setInterval(() => raw.socket.destroyed || raw.socket.write('x'), 100);
      await raw.closed;
      clearInterval(timer);
      return statusOf(raw);
    },
  },
  {
    name: 'connects and never sends a byte',
    expected: 'closed',
    async run(gateway) {
      const raw = await open(gateway);
      const elapsed = await raw.closed;
      return elapsed < HEADERS_TIMEOUT_MS + 3_000 ? 'closed' : `closed late (${Math.round(elapsed)} ms)`;
    },
  },
  {
    name: 'starts a chunked body and never finishes it',
    expected: '408',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\nauthorization: Bearer ${key}\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"mod\r\n`,
      );
      await raw.closed;
      return statusOf(raw);
    },
  },
  {
    name: 'sends 20 KiB of headers',
    expected: '431',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write(`GET /healthz HTTP/1.1\r\nhost: gateway\r\nx-padding: ${'p'.repeat(20 * 1024)}\r\n\r\n`);
      await raw.closed;
      return statusOf(raw);
    },
  },
  {
    name: 'speaks something that is not HTTP',
    expected: '400',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n');
      await raw.closed;
      return statusOf(raw);
    },
  },
  {
    name: 'sends a body over --max-body-bytes',
    expected: '413',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write(post(JSON.stringify({ model: 'quick', messages: [{ role: 'user', content: 'z'.repeat(MAX_BODY_BYTES * 2) }] })));
      await Promise.race([raw.closed, eventually(async () => statusOf(raw) !== '', 10_000)]);
      raw.socket.destroy();
      return statusOf(raw);
    },
  },
  {
    name: 'asks for a stream and never reads it',
    expected: 'cut',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.pause();
      raw.socket.write(post(JSON.stringify({ model: 'flood', stream: true, messages: HELLO })));
      // A paused socket sees no FIN until its buffered data is read: wait past the route's
      // streamIdle (2 s), then read what was buffered. A cut connection ends right after; one the
      // gateway kept would go on streaming and never close.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      raw.socket.resume();
      const cut = await Promise.race([
        raw.closed.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      return cut ? 'cut' : 'still streaming';
    },
  },
  {
    name: 'abandons a stream halfway',
    expected: 'abandoned',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write(post(JSON.stringify({ model: 'flood', stream: true, messages: HELLO })));
      await eventually(async () => raw.received().includes('data: '), 10_000);
      raw.socket.destroy();
      return 'abandoned';
    },
  },
  {
    name: 'sends its request and half-closes its side at once',
    expected: '200',
    async run(gateway) {
      const raw = await open(gateway, true);
      raw.socket.end(post(JSON.stringify({ model: 'quick', messages: HELLO })));
      await Promise.race([raw.closed, eventually(async () => raw.received().includes('still fast'), 10_000)]);
      raw.socket.destroy();
      return statusOf(raw);
    },
  },
  {
    name: 'pipelines a good request behind junk on one connection',
    expected: '400',
    async run(gateway) {
      const raw = await open(gateway);
      raw.socket.write(`GARBAGE / HTTP/9.9\r\n\r\n${post(JSON.stringify({ model: 'quick', messages: HELLO }))}`);
      await raw.closed;
      return statusOf(raw);
    },
  },
];

describe('misbehaving clients, all at once, while a well-behaved caller is served', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    // An endless stream of 8 KiB events for the stream faults, written as fast as it is taken.
    upstream = await startMockHttpServer(async (_request, res) => {
      let open = true;
      res.on('close', () => {
        open = false;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x'.repeat(8192) }, finish_reason: null }] })}\n\n`;
      while (open) if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'flood',
            backends: [openAIBackend('flood-upstream', upstream.url)],
            timeouts: { streamIdle: '2s', total: '20s' },
          }),
          routeObject({ name: 'quick', backends: [mockBackend('quick-backend', { response: 'still fast' })] }),
        ),
      },
      args: [
        '--headers-timeout',
        `${HEADERS_TIMEOUT_MS}ms`,
        '--request-timeout',
        `${REQUEST_TIMEOUT_MS}ms`,
        '--max-body-bytes',
        String(MAX_BODY_BYTES),
      ],
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('answers each fault as it deserves, keeps the well-behaved caller fast, and holds nothing afterwards', async () => {
    const client = openAIClient(gateway, key);
    const ask = async (): Promise<number> => {
      const started = performance.now();
      const completion = await client.chat.completions.create({ model: 'quick', messages: HELLO });
      expect(completion.choices[0]?.message.content).toBe('still fast');
      return performance.now() - started;
    };
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const before: number[] = [];
    for (let i = 0; i < 10; i++) before.push(await ask());

    let faultsRunning = true;
    const during: number[] = [];
    const caller = (async () => {
      while (faultsRunning) during.push(await ask());
    })();
    // A fault that never plays out reports itself instead of hanging the suite.
    const withDeadline = (fault: Fault): Promise<string> =>
      Promise.race([
        fault.run(gateway),
        new Promise<string>((resolve) => setTimeout(() => resolve('still running after 40 s'), 40_000).unref()),
      ]);
    const outcomes = await Promise.all(FAULTS.map(async (fault) => [fault.name, await withDeadline(fault)] as const));
    faultsRunning = false;
    await caller;

    expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(FAULTS.map((fault) => [fault.name, fault.expected])));
    // Served throughout; a generous same-run bound (the machine is noisy), not a timing target.
    expect(during.length).toBeGreaterThan(10);
    expect(median(during)).toBeLessThan(Math.max(10 * median(before), 250));
    await eventually(async () => (await inFlight(gateway)) === 0, 30_000);
    expect((await fetch(`${gateway.adminUrl}/healthz`)).status).toBe(200);
  }, 90_000);
});
