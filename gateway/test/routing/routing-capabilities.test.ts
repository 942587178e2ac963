// Backend capabilities through the gateway with the OpenAI SDK: a backend that cannot serve the
// request (prompt over its context window, images without vision, tools without tools, max
// output above its limit) is never picked, on the route or its fallbacks; when none can, a 400
// says which backend lacks what. `small` weighs 1000000, so without filtering it takes everything.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, openAIClient, routeObject, testKey } from '../core/core-fixtures.js';
import { answeredBy, countBy, longText } from './routing-fixtures.js';

const key = testKey('capabilities');
const REPEAT = 5;
const IMAGE: OpenAI.Chat.ChatCompletionContentPart = {
  type: 'image_url',
  image_url: {
    url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  },
};
const TOOL: OpenAI.Chat.ChatCompletionTool = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } };

function withCapabilities(backend: Record<string, unknown>, capabilities: Record<string, unknown>): Record<string, unknown> {
  return { ...backend, capabilities };
}

describe('backend capabilities', () => {
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    const small = { contextWindow: 1000, maxOutputTokens: 1000, vision: false, tools: false };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({
            name: 'cap',
            backends: [
              withCapabilities(mockBackend('small', { weight: 1_000_000 }), small),
              withCapabilities(mockBackend('large'), { contextWindow: 1_000_000, maxOutputTokens: 64_000, vision: true, tools: true }),
            ],
          }),
          routeObject({
            name: 'text-only',
            backends: [
              withCapabilities(mockBackend('t1'), { vision: false }),
              withCapabilities(mockBackend('t2'), { vision: false, contextWindow: 100 }),
            ],
          }),
          routeObject({
            name: 'narrow',
            backends: [withCapabilities(mockBackend('n1'), { contextWindow: 500 })],
            fallbackModels: ['wide'],
          }),
          routeObject({ name: 'wide', backends: [withCapabilities(mockBackend('w1'), { contextWindow: 1_000_000 })] }),
        ),
      },
    });
    client = openAIClient(gateway, key);
  });
  afterAll(async () => gateway?.stop());

  async function many(body: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming>, model = 'cap'): Promise<Record<string, number>> {
    const answered: string[] = [];
    for (let i = 0; i < REPEAT; i++)
      answered.push(await answeredBy(client, { model, messages: [{ role: 'user', content: 'hi' }], ...body }));
    return countBy(answered);
  }

  it('serves what every backend can from the heavy one', async () => {
    expect(await many({})).toEqual({ small: REPEAT });
  });

  it('never sends a prompt over a context window there', async () => {
    expect(await many({ messages: [{ role: 'user', content: longText(5000) }] })).toEqual({ large: REPEAT });
  });

  it('never sends images to a model without vision', async () => {
    expect(await many({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, IMAGE] }] })).toEqual({
      large: REPEAT,
    });
  });

  it('never sends tools to a model without tools', async () => {
    expect(await many({ tools: [TOOL] })).toEqual({ large: REPEAT });
  });

  it('never asks a model for more output than it gives', async () => {
    expect(await many({ max_tokens: 5000 })).toEqual({ large: REPEAT });
  });

  it('skips a route none of whose backends fits and answers from its fallback', async () => {
    expect(await many({ messages: [{ role: 'user', content: longText(2000) }] }, 'narrow')).toEqual({ w1: REPEAT });
  });

  it('refuses with a 400 naming each backend and what it lacks when none can serve', async () => {
    const error = await client.chat.completions
      .create({ model: 'text-only', messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, IMAGE] }] })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const message = (error as InstanceType<typeof OpenAI.BadRequestError>).message;
    expect(message).toContain('no backend of model `text-only` can serve this request');
    expect(message).toContain('backend "t1" of model text-only: the request carries images and it has no vision');
    expect(message).toMatch(/backend "t2" of model text-only: the prompt \(about \d+ tokens\) exceeds its contextWindow of 100/);
  });
});
