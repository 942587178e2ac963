// The four timeouts: firstByte and total end an attempt (504 when every attempt timed out),
// streamIdle cuts a silent stream, connect bounds connection setup.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  documents,
  errorOf,
  HELLO,
  keyObjects,
  mockBackend,
  openAIBackend,
  openAIClient,
  postJson,
  routeObject,
  secretObject,
  testKey,
} from './core-fixtures.js';

const key = testKey('timeouts');

describe('upstream timeouts', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    const outlierDetection = { consecutiveFailures: 1000 };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'slow-http',
            backends: [openAIBackend('slow', upstream.url)],
            outlierDetection,
            retry: { attempts: 2, backoff: { initial: '1ms', max: '1ms' } },
            timeouts: { firstByte: '200ms' },
          }),
          routeObject({
            name: 'idle-stream',
            backends: [openAIBackend('idle', upstream.url)],
            outlierDetection,
            retry: { attempts: 1 },
            timeouts: { streamIdle: '200ms' },
          }),
          routeObject({
            name: 'total-bound',
            backends: [openAIBackend('long', upstream.url)],
            outlierDetection,
            retry: { attempts: 1 },
            timeouts: { total: '300ms', streamIdle: '10s' },
          }),
          routeObject({
            name: 'slow-mock',
            backends: [mockBackend('sleepy', { latency: '2s' })],
            outlierDetection,
            retry: { attempts: 1 },
            timeouts: { firstByte: '150ms' },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('answers 504 when every attempt misses firstByte, naming the timeout', async () => {
    upstream.reset();
    upstream.script({ content: 'late', delayMs: 1000 }, { content: 'late', delayMs: 1000 });
    const started = Date.now();
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'slow-http', messages: HELLO });
    expect(response.status).toBe(504);
    expect(errorOf(response.json).message).toContain('firstByte timeout after 200 ms');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a timeout and answers from the next attempt', async () => {
    upstream.reset();
    upstream.script({ content: 'late', delayMs: 1000 }, { content: 'on time' });
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'slow-http', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('applies firstByte to in-process providers too', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'slow-mock', messages: HELLO });
    expect(response.status).toBe(504);
  });

  it('ends a stream that goes silent longer than streamIdle with an error event', async () => {
    upstream.reset();
    upstream.script({ content: 'one two three four five six', chunkDelayMs: 1000 });
    const stream = await openAIClient(gateway, key).chat.completions.create({ model: 'idle-stream', messages: HELLO, stream: true });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(received.length).toBeGreaterThan(0);
  });

  it('bounds the whole exchange by total, streams included', async () => {
    upstream.reset();
    upstream.script({ content: 'a b c d e f g h i j k l', chunkDelayMs: 150 });
    const started = Date.now();
    const stream = await openAIClient(gateway, key).chat.completions.create({ model: 'total-bound', messages: HELLO, stream: true });
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow(/total timeout after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
