// Fault injection: a scripted upstream misbehaving at every stage of an exchange (before the
// status line, mid-body, mid-stream, by dripping, by going silent, by redirecting, by speaking
// something that is not HTTP or not TLS, by not resolving). For each fault the gateway must give
// the caller a well-formed answer in the caller's format (a 502/504 error, or a stream ended by
// its in-band error event), never leak the upstream credential, and keep serving: a well-behaved
// request sent while the fault is in progress answers promptly.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, errorOf, HELLO, keyObjects, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('faults');
const UPSTREAM_KEY = 'sk-fault-upstream-credential-0123456789';

const OK_BODY = JSON.stringify({
  id: 'chatcmpl-ok',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});
const chunk = (content: string): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** What the scripted upstream does, chosen by the first path segment of the request. */
const FAULTS: Record<string, (socket: Socket) => void> = {
  ok: (socket) => socket.end(httpResponse(200, 'application/json', OK_BODY)),
  'reset-before-headers': (socket) => socket.resetAndDestroy(),
  'reset-mid-body': (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${OK_BODY.length}\r\n\r\n${OK_BODY.slice(0, 20)}`);
    setTimeout(() => socket.resetAndDestroy(), 50);
  },
  'not-http': (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'),
  'html-200': (socket) => socket.end(httpResponse(200, 'text/html', '<html><body>maintenance</body></html>')),
  'no-answer': () => undefined,
  'slow-drip': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{');
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(' ')), 200);
  },
  redirect: (socket) => socket.end('HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\n\r\n'),
  'stream-reset': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n');
    socket.write(chunk('one ') + chunk('two '));
    setTimeout(() => socket.resetAndDestroy(), 100);
  },
  'stream-half-open': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n');
    socket.write(chunk('one '));
  },
};

function httpResponse(status: number, contentType: string, body: string): string {
  return `HTTP/1.1 ${status} X\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** A raw TCP server reading the request line and acting out the fault its path names. */
async function startScriptedUpstream(): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (data) => {
      if (head.includes('\r\n')) return;
      head += data.toString('latin1');
      const line = head.split('\r\n')[0];
      if (line === undefined || !head.includes('\r\n')) return;
      const fault = /^[A-Z]+ \/([a-z0-9-]+)\//.exec(line)?.[1];
      const act = fault === undefined ? undefined : FAULTS[fault];
      if (act === undefined) socket.end(httpResponse(400, 'text/plain', 'not a request this upstream knows'));
      else act(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server, sockets };
}

function backend(baseURL: string): Record<string, unknown> {
  return { name: 'b', provider: 'openai', model: 'm', baseURL, credentials: [{ secretRef: { name: 'up', key: 'apiKey' } }] };
}

interface Case {
  fault: string;
  baseURL?: (port: number) => string;
  stream?: boolean;
  /** Statuses the caller may get; a stream that started gets 200 and an in-band error. */
  statuses: number[];
}

const CASES: Case[] = [
  { fault: 'reset-before-headers', statuses: [502] },
  { fault: 'reset-mid-body', statuses: [502] },
  { fault: 'not-http', statuses: [502] },
  { fault: 'html-200', statuses: [502] },
  { fault: 'no-answer', statuses: [504] },
  { fault: 'slow-drip', statuses: [504] },
  { fault: 'redirect', statuses: [502] },
  // The plain server never answers a ClientHello (it waits for a request line): refused or timed out.
  { fault: 'tls-to-plain', baseURL: (port) => `https://127.0.0.1:${port}/ok/v1`, statuses: [502, 504] },
  { fault: 'dns-failure', baseURL: () => 'http://switchyard-fault.invalid/v1', statuses: [502, 504] },
  { fault: 'stream-reset', stream: true, statuses: [200] },
  { fault: 'stream-half-open', stream: true, statuses: [200] },
];

describe('upstream fault injection', () => {
  let gateway: GatewayProcess;
  let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    const timeouts = { connect: '1s', firstByte: '1500ms', streamIdle: '1s', total: '3s' };
    const routes = [{ fault: 'ok', statuses: [200] } as Case, ...CASES].map((c) =>
      routeObject({
        name: c.fault,
        backends: [backend(c.baseURL?.(upstream.port) ?? `http://127.0.0.1:${upstream.port}/${c.fault}/v1`)],
        retry: { attempts: 1 },
        timeouts,
      }),
    );
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), secretObject('up', { apiKey: UPSTREAM_KEY }), ...routes) },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    for (const socket of upstream?.sockets ?? []) socket.destroy();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  async function post(model: string, stream: boolean): Promise<{ status: number; text: string; ms: number }> {
    const started = Date.now();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: HELLO, stream }),
    });
    const text = await response.text();
    return { status: response.status, text, ms: Date.now() - started };
  }

  it.each(CASES)('$fault: a well-formed answer, no credential, and the gateway keeps serving', async ({ fault, stream, statuses }) => {
    const faulty = post(fault, stream ?? false);
    // Sent while the fault is in progress: it must not wait for it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const healthy = await post('ok', false);
    expect(healthy.status).toBe(200);
    expect(healthy.ms).toBeLessThan(1500);

    const answer = await faulty;
    expect(statuses).toContain(answer.status);
    expect(answer.text).not.toContain(UPSTREAM_KEY);
    if (stream) {
      // Began as a stream, so the failure arrives in-band: an error event and no [DONE].
      expect(answer.text).toContain('data: ');
      expect(answer.text).toMatch(/"error"/);
      expect(answer.text).not.toMatch(/^data: \[DONE\]$/m);
    } else {
      const error = errorOf(JSON.parse(answer.text));
      expect(typeof error.message).toBe('string');
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  it('answers normally after every fault', async () => {
    const after = await post('ok', false);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).choices[0].message.content).toBe('fine');
  });
});
