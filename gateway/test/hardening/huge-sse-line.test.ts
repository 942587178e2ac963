// An upstream that streams one 50 MB SSE line: the gateway ends the caller's stream with the
// in-band error event naming the event-size limit, stops reading the upstream, and keeps serving
// /healthz promptly meanwhile. Before the decoder was linear and capped, that line froze the whole
// gateway for seconds and was buffered whole.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, openAIBackend, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';

const key = testKey('hugesse');
const UPSTREAM_KEY = 'sk-upstream-0123456789abcdef';
const LINE_BYTES = 50 * 1024 * 1024;
/** Generous: /healthz answers in a millisecond or two on an idle gateway. */
const HEALTHZ_DEADLINE_MS = 2000;

const firstChunk = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-upstream',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }],
};

/** The first event, then 50 MB of one `data:` line that never ends, written as fast as the socket takes it. */
async function sendHugeLine(res: ServerResponse, written: { bytes: number }, withFirstEvent: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (withFirstEvent) res.write(`data: ${JSON.stringify(firstChunk)}\n\n`);
  res.write('data: {"choices":[{"index":0,"delta":{"content":"');
  const piece = Buffer.alloc(1024 * 1024, 'x');
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  for (let sent = 0; sent < LINE_BYTES && !closed; sent += piece.length) {
    written.bytes += piece.length;
    if (!res.write(piece)) await new Promise<void>((resolveDrain) => res.once('drain', resolveDrain).once('close', resolveDrain));
  }
  if (!closed) res.end('"}}]}\n\n');
}

describe('a 50 MB SSE line from an upstream', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;
  const written = { bytes: 0 };

  beforeAll(async () => {
    upstream = await startMockHttpServer((request, res) =>
      sendHugeLine(res, written, (request.json as { model?: unknown } | undefined)?.model !== 'at-once'),
    );
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: UPSTREAM_KEY }),
          routeObject({ name: 'huge', backends: [openAIBackend('upstream', upstream.url)], retry: { attempts: 1 } }),
          routeObject({
            name: 'huge-at-once',
            backends: [openAIBackend('upstream', upstream.url, { model: 'at-once' })],
            retry: { attempts: 1 },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  /** Polls /healthz until `done` settles; returns the slowest answer's time. */
  async function slowestHealthz(done: Promise<unknown>): Promise<number> {
    let finished = false;
    void done.finally(() => {
      finished = true;
    });
    let slowest = 0;
    while (!finished) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
      await response.text();
      expect(response.status).toBe(200);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((r) => setTimeout(r, 10));
    }
    return slowest;
  }

  it.each([
    [
      'OpenAI chat',
      '/v1/chat/completions',
      { authorization: `Bearer ${key}` },
      { model: 'huge', stream: true, messages: [{ role: 'user', content: 'hi' }] },
    ],
    [
      'Anthropic messages',
      '/anthropic/v1/messages',
      { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      { model: 'huge', stream: true, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
    ],
  ])('%s: ends the stream with the in-band error naming the limit while /healthz stays prompt', async (name, path, headers, body) => {
    written.bytes = 0;
    const answer = fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, text: await response.text() }));
    const slowest = await slowestHealthz(answer);
    const { status, text } = await answer;

    expect(status).toBe(200);
    expect(text).toContain('Hello');
    expect(text).toContain('MAX_SSE_EVENT_CHARS');
    if (name === 'OpenAI chat') {
      // OpenAI's in-band error: a data frame holding {error}, and no [DONE] after it.
      expect(text).toMatch(/data: \{"error":\{"message":"[^"]*16777216-character limit/);
      expect(text).not.toContain('[DONE]');
    } else {
      expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]*16777216-character limit/);
    }
    expect(slowest).toBeLessThan(HEALTHZ_DEADLINE_MS);
    // The gateway stopped reading near the limit instead of taking the whole line.
    expect(written.bytes).toBeLessThan(LINE_BYTES);
  });

  it('answers a 502 naming the limit when the huge line comes before any event', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'huge-at-once', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(502);
    const error = ((await response.json()) as { error: { message: string } }).error;
    expect(error.message).toContain('16777216-character limit');
  });

  it('keeps serving afterwards', async () => {
    const response = await fetch(`${gateway.url}/healthz`);
    expect(response.status).toBe(200);
    expect(gateway.logs()).not.toMatch(/"level":"error".*Maximum call stack|heap out of memory/);
  });
});
