// Nothing secret or private reaches the collector: not the virtual key (header or Gemini
// `?key=`), not its digest, not the upstream credential, not the prompt or the answer.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keyDigest } from '@switchyard/compiler';
import { OPENAI_MOCK_API_KEY, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import type { OtlpCollector } from '../mocks/otlp-collector.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { keyObjects, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';
import { startTracedGateway, type TracedGateway } from './tracing-fixtures.js';

const key = testKey('tracingsecret');
const PROMPT = 'confidential-prompt-7f3a9c';
const ANSWER = 'confidential-answer-41d2e8';

describe('no secrets in spans', () => {
  let collector: OtlpCollector;
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;
  let traced: TracedGateway | undefined;

  beforeAll(async () => {
    traced = await startTracedGateway(
      (upstreamUrl) => [
        ...keyObjects({ name: 'k', key }),
        secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        routeObject({ name: 'private', backends: [openAIBackend('upstream', upstreamUrl)] }),
      ],
      { prepareUpstream: (mock) => mock.setDefaultReply({ content: ANSWER }) },
    );
    ({ collector, upstream, gateway } = traced);
  }, 60_000);
  afterAll(async () => {
    await traced?.close();
  });

  it('the exported bodies hold none of them, across front doors, streams and errors', async () => {
    const client = openAIClient(gateway, key);
    const completion = await client.chat.completions.create({ model: 'private', messages: [{ role: 'user', content: PROMPT }] });
    expect(completion.choices[0]?.message.content).toBe(ANSWER);
    const stream = await client.chat.completions.create({ model: 'private', messages: [{ role: 'user', content: PROMPT }], stream: true });
    for await (const chunk of stream) void chunk;
    await new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0 }).messages.create({
      model: 'private',
      max_tokens: 20,
      messages: [{ role: 'user', content: PROMPT }],
    });
    const gemini = await fetch(`${gateway.url}/genai/v1beta/models/private:generateContent?key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: PROMPT }] }] }),
    });
    expect(gemini.status).toBe(200);
    upstream.script({ error: { status: 400, message: `bad request about ${PROMPT}`, type: 'invalid_request_error' } });
    await expect(client.chat.completions.create({ model: 'private', messages: [{ role: 'user', content: PROMPT }] })).rejects.toThrow();

    await collector.waitForSpans((all) => all.filter((s) => s.kind === 2).length >= 5);
    const exported = collector.requests.map((r) => r.body.toString('utf8')).join('\n');
    expect(exported).toContain('chat private');
    for (const secret of [key, keyDigest(key), OPENAI_MOCK_API_KEY, PROMPT, ANSWER]) expect(exported).not.toContain(secret);
    expect(exported.toLowerCase()).not.toContain('authorization');
  });
});
