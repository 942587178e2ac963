// Caller text the gateway repeats in an error or a log line is bounded: a 1 MB model name used to
// come back whole in the 404 and be written twice onto the request's log line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, mockBackend, routeObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('reflected');
const MEGABYTE_NAME = `gpt-${'x'.repeat(1024 * 1024)}`;
/** Under node's 16 KiB header limit, so the request reaches the router. */
const LONG_SEGMENT = `m${'y'.repeat(8 * 1024)}`;
/** Generous bounds: what matters is that they do not grow with the input. */
const MAX_MESSAGE = 2048;
const MAX_LOG_LINE = 4096;

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function call(
  gateway: GatewayProcess,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${gateway.url}${path}`, init);
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // kept as text; the assertions show it
  }
  return { status: response.status, text, json };
}

const errorMessage = (json: unknown): string => (json as { error: { message: string } }).error.message;
const bearer = { authorization: `Bearer ${key}` };
const anthropic = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
const google = { 'x-goog-api-key': key };

describe('reflected input', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })) },
    });
  });
  afterAll(async () => gateway?.stop());

  /** Runs `send` and returns the log lines the gateway wrote meanwhile. */
  async function withLogs(send: () => Promise<Answer>): Promise<{ answer: Answer; lines: string[] }> {
    const before = gateway.logs().length;
    const answer = await send();
    // The request's log line is written after the answer; wait for it briefly.
    for (let waited = 0; waited < 2000 && gateway.logs().length === before; waited += 20) await new Promise((r) => setTimeout(r, 20));
    const lines = gateway
      .logs()
      .slice(before)
      .split('\n')
      .filter((line) => line !== '');
    return { answer, lines };
  }

  it.each([
    ['OpenAI chat', '/v1/chat/completions', bearer, { model: MEGABYTE_NAME, messages: [{ role: 'user', content: 'hi' }] }],
    ['OpenAI Responses', '/v1/responses', bearer, { model: MEGABYTE_NAME, input: 'hi' }],
    [
      'Anthropic messages',
      '/anthropic/v1/messages',
      anthropic,
      { model: MEGABYTE_NAME, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] },
    ],
    ['OpenAI embeddings', '/v1/embeddings', bearer, { model: MEGABYTE_NAME, input: 'hi' }],
  ])('%s: a 1 MB model name gets a bounded 404 and a bounded log line', async (_name, path, headers, body) => {
    const { answer, lines } = await withLogs(() => call(gateway, 'POST', path, headers, body));
    expect(answer.status).toBe(404);
    const message = errorMessage(answer.json);
    // The caller can still recognize the name it sent, and how long it was.
    expect(message).toContain(MEGABYTE_NAME.slice(0, 100));
    expect(message).toContain(`${MEGABYTE_NAME.length} characters`);
    expect(message.length).toBeLessThan(MAX_MESSAGE);
    expect(answer.text.length).toBeLessThan(2 * MAX_MESSAGE);
    const requestLine = lines.find((line) => line.includes('"msg":"request"'));
    expect(requestLine).toBeDefined();
    expect(requestLine).toContain('"status":404');
    for (const line of lines) expect(line.length).toBeLessThan(MAX_LOG_LINE);
  });

  it.each([
    ['an unknown path', 'POST', `/v1/${LONG_SEGMENT}`, bearer, 404],
    ['an unknown Anthropic path', 'POST', `/anthropic/v1/${LONG_SEGMENT}`, anthropic, 404],
    ['an unknown Gemini method', 'POST', `/genai/v1beta/models/echo:${LONG_SEGMENT}`, google, 404],
    ['a path served by another method', 'POST', `/v1/models/${LONG_SEGMENT}`, bearer, 405],
    ['an unknown model in the OpenAI model list', 'GET', `/v1/models/${LONG_SEGMENT}`, bearer, 404],
    ['an unknown model in the Anthropic model list', 'GET', `/anthropic/v1/models/${LONG_SEGMENT}`, anthropic, 404],
    ['an unknown model in the Gemini model list', 'GET', `/genai/v1beta/models/${LONG_SEGMENT}`, google, 404],
    ['an unknown Gemini model', 'POST', `/genai/v1beta/models/${LONG_SEGMENT}:generateContent`, google, 404],
  ])('%s: the 4xx repeats a bounded part of what was sent', async (_name, method, path, headers, status) => {
    const body = method === 'POST' ? { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } : undefined;
    const answer = await call(gateway, method, path, headers, body);
    expect(answer.status).toBe(status);
    const message = errorMessage(answer.json);
    expect(message).toContain(LONG_SEGMENT.slice(0, 100));
    expect(message).not.toContain(LONG_SEGMENT);
    expect(message.length).toBeLessThan(MAX_MESSAGE);
  });

  it('a 1 MB value echoed by a decoder is bounded in the 400', async () => {
    // Gemini names the role it refuses; the role here is a megabyte long.
    const { answer, lines } = await withLogs(() =>
      call(gateway, 'POST', '/genai/v1beta/models/echo:generateContent', google, {
        contents: [{ role: MEGABYTE_NAME, parts: [{ text: 'hi' }] }],
      }),
    );
    expect(answer.status).toBe(400);
    const message = errorMessage(answer.json);
    expect(message).toContain(MEGABYTE_NAME.slice(0, 100));
    expect(message.length).toBeLessThan(2 * MAX_MESSAGE + 100);
    for (const line of lines) expect(line.length).toBeLessThan(2 * MAX_LOG_LINE);
  });
});
