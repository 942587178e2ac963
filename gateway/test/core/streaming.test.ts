// Streaming through the OpenAI SDK, from the mock provider and from an HTTP upstream; a failure
// after the first byte ends the stream with an error event and is never retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('streaming');

describe('streaming', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({ name: 'mock-stream', backends: [mockBackend('words', { response: 'one two three four' })] }),
          routeObject({
            name: 'http-stream',
            backends: [openAIBackend('upstream', upstream.url)],
            retry: { attempts: 3, backoff: { initial: '1ms', max: '2ms' } },
            outlierDetection: { consecutiveFailures: 1000 },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  it('streams the mock provider word by word with usage at the end', async () => {
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'mock-stream',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(['one ', 'two ', 'three ', 'four']);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 5 });
  });

  it('streams an HTTP upstream and sets the gateway headers', async () => {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'http-stream', messages: [{ role: 'user', content: 'stream me' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('mock:gpt-upstream: stream me');
    expect(response.headers.get('x-switchyard-backend')).toBe('upstream');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    // Upstream OpenAI-format streams are always asked for usage.
    expect(upstream.chatRequests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('retries a stream that fails before its first byte', async () => {
    upstream.script({ error: { status: 500, message: 'boom', type: 'server_error' } });
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'http-stream',
      messages: [{ role: 'user', content: 'again' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('mock:gpt-upstream: again');
    expect(upstream.chatRequests).toHaveLength(2);
  });

  it.each([
    ['the upstream resets the connection', 'destroy' as const],
    ['the upstream closes early without finishing', 'end' as const],
  ])('never retries after the first byte: when %s the stream ends with an error event', async (_label, cutMode) => {
    // The delay lets the first chunks reach the gateway before the cut.
    upstream.script({ content: 'this answer breaks in the middle', cutAfterChunks: 2, cutMode, chunkDelayMs: 30 });
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'http-stream',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(/upstream stream failed after it began/);
    expect(text.length).toBeGreaterThan(0);
    expect(upstream.chatRequests).toHaveLength(1);
  });
});
