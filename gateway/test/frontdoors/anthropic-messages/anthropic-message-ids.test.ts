// Answer ids follow the front door's format whatever the upstream: the Anthropic front door's
// messages are `msg_...` (an OpenAI upstream's `chatcmpl-...` used to come through as the message
// id), with the upstream's id kept after the prefix so the answer stays traceable; the Responses
// front door's are `resp_...`. Driven through the official Anthropic and OpenAI SDKs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { anthropicClient, documents, FRONT_DOOR_KEY, route, secret, virtualKey } from './anthropic-sdk-support.js';

let mock: OpenAIMockServer;
let gateway: GatewayProcess;

beforeAll(async () => {
  mock = await startOpenAIMockServer();
  const openai = {
    name: 'openai-main',
    provider: 'openai',
    model: 'gpt-upstream',
    baseURL: `${mock.url}/v1`,
    credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
  };
  gateway = await startGateway({
    manifests: {
      'all.yaml': documents(
        secret('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        ...virtualKey(),
        route('via-openai', [openai], { retry: { attempts: 1 } }),
        route('via-mock', [{ name: 'm', provider: 'mock', model: 'mock-model' }]),
      ),
    },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});
beforeEach(() => mock.reset());

const MESSAGES = [{ role: 'user' as const, content: 'hello' }];

describe('Anthropic front door message ids', () => {
  it.each([
    ['openai', 'via-openai', /^msg_chatcmpl-trace42$/],
    ['mock', 'via-mock', /^msg_mock-/],
  ])('%s upstream, not streamed: msg_ + the upstream id', async (_upstream, model, expected) => {
    mock.script({ id: 'chatcmpl-trace42', content: 'hi' });
    const message = await anthropicClient(gateway).messages.create({ model, max_tokens: 50, messages: MESSAGES });
    expect(message.id).toMatch(expected);
  });

  it.each([
    ['openai', 'via-openai', /^msg_chatcmpl-trace42$/],
    ['mock', 'via-mock', /^msg_mock-/],
  ])('%s upstream, streamed: message_start carries msg_ + the upstream id', async (_upstream, model, expected) => {
    mock.script({ id: 'chatcmpl-trace42', content: 'hi' });
    const stream = anthropicClient(gateway).messages.stream({ model, max_tokens: 50, messages: MESSAGES });
    const startIds: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') startIds.push(event.message.id);
    });
    const final = await stream.finalMessage();
    expect(startIds).toHaveLength(1);
    expect(startIds[0]).toMatch(expected);
    expect(final.id).toBe(startIds[0]);
  });
});

describe('Responses front door ids', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: FRONT_DOOR_KEY, maxRetries: 0, timeout: 20_000 });

  it('resp_ whatever the upstream, streamed or not', async () => {
    mock.script({ id: 'chatcmpl-trace42', content: 'hi' }, { id: 'chatcmpl-trace43', content: 'hi' });
    const whole = await client().responses.create({ model: 'via-openai', input: 'hello' });
    expect(whole.id).toMatch(/^resp_/);
    const streamed = await client().responses.create({ model: 'via-openai', input: 'hello', stream: true });
    const ids: string[] = [];
    for await (const event of streamed)
      if (event.type === 'response.created' || event.type === 'response.completed') ids.push(event.response.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^resp_/);
  });
});
