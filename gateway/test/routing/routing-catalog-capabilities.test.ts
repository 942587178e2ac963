// Capabilities from the built-in catalog, through the gateway with the OpenAI SDK: `openai`
// backends naming catalog models (gpt-4o: 128K window, gpt-4.1: 1M; o3-mini: no vision) and no
// `capabilities` in their spec are filtered by what the catalog says. The heavy backend of each
// route weighs 1000000, so without filtering it takes everything; each backend has its own loopback
// upstream, which shows the skipped one never received the request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, openAIClient, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { answeredBy, countBy, longText, startControlledUpstream, type ControlledUpstream } from './routing-fixtures.js';

const key = testKey('catalog-capabilities');
const REPEAT = 4;
/** About 200,000 tokens for gpt-4o's tokenizer (one per 6 bytes of longText): over its 128,000-token window, well under gpt-4.1's 1,047,576. */
const OVERSIZED = 1_200_000;
/** 200,000 bytes (the byte bound exceeds 128,000) but about 67,000 tokens: it fits gpt-4o's window. */
const FITS_BY_TOKENS = 200_000;
const IMAGE: OpenAI.Chat.ChatCompletionContentPart = {
  type: 'image_url',
  image_url: {
    url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  },
};

/** An `openai` backend for a catalog model (named after it, dots as dashes), without `capabilities`, sending to its own upstream. */
function catalogBackend(model: string, upstream: ControlledUpstream, weight = 1): Record<string, unknown> {
  return {
    name: model.replaceAll('.', '-'),
    provider: 'openai',
    model,
    baseURL: `${upstream.server.url}/v1`,
    weight,
    credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
  };
}

describe('backend capabilities from the catalog', () => {
  const upstreams: Record<string, ControlledUpstream> = {};
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    for (const model of ['gpt-4o', 'gpt-4.1', 'o3-mini', 'gpt-4o-mini', 'gpt-4o-alone'])
      upstreams[model] = await startControlledUpstream(model);
    const up = (model: string): ControlledUpstream => upstreams[model] as ControlledUpstream;
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: 'sk-upstream' }),
          routeObject({
            name: 'long',
            backends: [catalogBackend('gpt-4o', up('gpt-4o'), 1_000_000), catalogBackend('gpt-4.1', up('gpt-4.1'))],
          }),
          routeObject({
            name: 'look',
            backends: [catalogBackend('o3-mini', up('o3-mini'), 1_000_000), catalogBackend('gpt-4o-mini', up('gpt-4o-mini'))],
          }),
          routeObject({ name: 'short', backends: [{ ...catalogBackend('gpt-4o', up('gpt-4o-alone')), name: 'only' }] }),
        ),
      },
    });
    client = openAIClient(gateway, key);
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
  });

  async function many(model: string, content: OpenAI.Chat.ChatCompletionUserMessageParam['content']): Promise<Record<string, number>> {
    const answered: string[] = [];
    for (let i = 0; i < REPEAT; i++) answered.push(await answeredBy(client, { model, messages: [{ role: 'user', content }] }));
    return countBy(answered);
  }

  it('sends what both models take to the heavy one', async () => {
    expect(await many('long', 'hi')).toEqual({ 'gpt-4o': REPEAT });
    expect(await many('look', 'hi')).toEqual({ 'o3-mini': REPEAT });
  });

  it('sends a prompt over the 128K window only to the 1M model', async () => {
    const before = upstreams['gpt-4o']?.authorizations.length;
    expect(await many('long', longText(OVERSIZED))).toEqual({ 'gpt-4-1': REPEAT });
    expect(upstreams['gpt-4o']?.authorizations.length).toBe(before);
  });

  it("counts a prompt whose byte bound exceeds the window with the model's tokenizer: one that fits is not refused", async () => {
    expect(await many('long', longText(FITS_BY_TOKENS))).toEqual({ 'gpt-4o': REPEAT });
  });

  it('never sends an image to the text-only model', async () => {
    const before = upstreams['o3-mini']?.authorizations.length;
    expect(await many('look', [{ type: 'text', text: 'what is it?' }, IMAGE])).toEqual({ 'gpt-4o-mini': REPEAT });
    expect(upstreams['o3-mini']?.authorizations.length).toBe(before);
  });

  it('refuses with a 400 naming the catalog window when no backend fits, without calling upstream', async () => {
    const error = await client.chat.completions
      .create({ model: 'short', messages: [{ role: 'user', content: longText(OVERSIZED) }] })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /backend "only" of model short: the prompt \(about \d+ tokens\) exceeds its contextWindow of 128000/,
    );
    expect(upstreams['gpt-4o-alone']?.authorizations).toEqual([]);
  });
});
