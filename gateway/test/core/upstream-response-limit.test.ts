// --max-response-bytes: a non-streamed upstream answer over the cap fails with a 502 naming the
// cap (whether the upstream declares its length or sends it chunked), one just under the cap is
// served, and the gateway keeps serving other callers afterwards.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { documents, errorOf, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('responselimit');
const LIMIT = 256 * 1024;

/** A chat completion whose JSON is exactly `bytes` long. */
function completionOfSize(bytes: number): string {
  const shape = (content: string): string =>
    JSON.stringify({
      id: 'chatcmpl-limit',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-upstream',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  const padding = bytes - Buffer.byteLength(shape(''));
  if (padding < 0) throw new Error(`a completion cannot be as small as ${bytes} bytes`);
  return shape('x'.repeat(padding));
}

/** The next answer's size in bytes, and whether it is sent chunked (no content-length). */
let nextAnswer = { bytes: 1_000, chunked: false };

function answer(res: ServerResponse): void {
  const body = completionOfSize(nextAnswer.bytes);
  if (!nextAnswer.chunked) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  for (let offset = 0; offset < body.length; offset += 16 * 1024) res.write(body.slice(offset, offset + 16 * 1024));
  res.end();
}

describe('upstream response limit (--max-response-bytes)', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startMockHttpServer((_request, res) => answer(res));
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: 'sk-upstream-limit-0123456789' }),
          routeObject({ name: 'big', backends: [openAIBackend('only', upstream.url)], outlierDetection: { consecutiveFailures: 1000 } }),
        ),
      },
      args: ['--max-response-bytes', String(LIMIT)],
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const ask = () => postJson(gateway, '/v1/chat/completions', key, { model: 'big', messages: HELLO });

  it.each([
    ['with a declared length', false],
    ['sent chunked', true],
  ])('answers 502 naming the cap for an answer one byte over it %s, then keeps serving', async (_label, chunked) => {
    nextAnswer = { bytes: LIMIT + 1, chunked };
    const response = await ask();
    expect(response.status).toBe(502);
    const message = errorOf(response.json).message;
    expect(message).toContain(`${LIMIT}-byte limit`);
    expect(message).toContain('--max-response-bytes');

    nextAnswer = { bytes: 2_000, chunked: false };
    const next = await ask();
    expect(next.status).toBe(200);
    expect((next.json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toMatch(/^x+$/);
  });

  it.each([
    ['with a declared length', false],
    ['sent chunked', true],
  ])('serves an answer just under the cap %s, whole', async (_label, chunked) => {
    nextAnswer = { bytes: LIMIT - 1, chunked };
    const response = await ask();
    expect(response.status).toBe(200);
    const content = (response.json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? '';
    const sent = JSON.parse(completionOfSize(LIMIT - 1)) as { choices: Array<{ message: { content: string } }> };
    expect(content).toBe(sent.choices[0]?.message.content);
  });

  it('keeps /healthz answering on the public port after refusals', async () => {
    nextAnswer = { bytes: LIMIT * 4, chunked: true };
    expect((await ask()).status).toBe(502);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});
