// Images are governed like chat, through the gateway process with the openai SDK: a key not
// allowed the model gets 403, a key's request rate limit refuses the next request, a Block
// budget reserves n images at the catalog's price before the call (refusing what could overrun
// it) and is charged what was answered, a model without an image price is refused under a Block
// budget, and a failing backend falls over to the next one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { documents, openAIClient, routeObject, testKey } from '../core/core-fixtures.js';
import { budgetObject, governedKey } from '../governance/governance-fixtures.js';
import { startImagesMockServer, type ImagesMockServer } from '../mocks/images-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { imagesSecret, openAIImageBackend } from './image-upstreams.js';

const other = testKey('imagesother');
const limited = testKey('imageslimited');
const budgeted = testKey('imagesbudgeted');
const free = testKey('imagesfree');

async function refusal(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('images governance', () => {
  let primary: ImagesMockServer;
  let secondary: ImagesMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    primary = await startImagesMockServer();
    secondary = await startImagesMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          imagesSecret,
          routeObject({
            name: 'img',
            retry: { attempts: 2 },
            backends: [
              { ...openAIImageBackend('primary', 'dall-e-2', primary.url), priority: 0 },
              { ...openAIImageBackend('secondary', 'dall-e-2', secondary.url), priority: 1 },
            ],
          }),
          routeObject({ name: 'other', backends: [openAIImageBackend('o', 'dall-e-2', primary.url)] }),
          routeObject({ name: 'unlisted', backends: [openAIImageBackend('u', 'image-model-not-in-the-catalog', primary.url)] }),
          routeObject({
            name: 'unlisted-token-priced',
            backends: [
              {
                ...openAIImageBackend('u', 'image-model-not-in-the-catalog', primary.url),
                pricing: { inputPerMillion: '1', outputPerMillion: '1' },
              },
            ],
          }),
          ...governedKey({ name: 'other-only', key: other, allowedModels: ['other'] }),
          ...governedKey({ name: 'limited', key: limited, rateLimit: { requestsPerMinute: 1 } }),
          ...governedKey({ name: 'budgeted', key: budgeted, labels: { team: 'capped' } }),
          ...governedKey({ name: 'free', key: free }),
          budgetObject({ name: 'capped', matchLabels: { team: 'capped' }, limit: '0.10' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await primary?.close();
    await secondary?.close();
  });

  it('refuses a key not allowed the model with 403, sending nothing', async () => {
    const before = primary.calls.length;
    const error = await refusal(openAIClient(gateway, other).images.generate({ model: 'img', prompt: 'a cat' }));
    expect(error.status).toBe(403);
    expect(error.message).toContain('is not allowed to use model `img`');
    expect(primary.calls.length).toBe(before);
  });

  it("refuses the request past a key's rate limit with 429", async () => {
    const client = openAIClient(gateway, limited);
    await client.images.generate({ model: 'img', prompt: 'a cat' });
    const error = await refusal(client.images.generate({ model: 'img', prompt: 'a cat' }));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
  });

  it('reserves n images at the catalog price: $0.20 of ten images cannot fit a $0.10 budget, four images ($0.08) can, then two more cannot', async () => {
    const client = openAIClient(gateway, budgeted);
    const before = primary.calls.length;
    const tooMany = await refusal(client.images.generate({ model: 'img', prompt: 'a cat', n: 10, size: '1024x1024' }));
    expect(tooMany.status).toBe(429);
    expect(tooMany.code).toBe('budget_exceeded');
    expect(tooMany.message).toContain('default/capped');
    expect(primary.calls.length).toBe(before);
    const four = await client.images.generate({ model: 'img', prompt: 'a cat', n: 4, size: '1024x1024' }).withResponse();
    expect(four.response.headers.get('x-switchyard-cost-usd')).toBe('0.08');
    const twoMore = await refusal(client.images.generate({ model: 'img', prompt: 'a cat', n: 2, size: '1024x1024' }));
    expect(twoMore.code).toBe('budget_exceeded');
    expect(primary.calls.length).toBe(before + 1);
  });

  it('refuses a model without an image price under a Block budget, naming the backend', async () => {
    const error = await refusal(openAIClient(gateway, budgeted).images.generate({ model: 'unlisted', prompt: 'a cat' }));
    expect(error.status).toBe(403);
    expect(error.message).toContain('image-model-not-in-the-catalog');
  });

  it("does not price images with a backend's token pricing: no cost rather than a free answer", async () => {
    const { response } = await openAIClient(gateway, free)
      .images.generate({ model: 'unlisted-token-priced', prompt: 'a cat' })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-cost-usd')).toBeNull();
  });

  it('falls over to the next backend when the first fails', async () => {
    primary.failWith = 503;
    try {
      const before = secondary.calls.length;
      const answer = await openAIClient(gateway, free).images.generate({ model: 'img', prompt: 'a cat' });
      expect(answer.data).toHaveLength(1);
      expect(secondary.calls.length).toBe(before + 1);
    } finally {
      primary.failWith = undefined;
    }
  });
});
