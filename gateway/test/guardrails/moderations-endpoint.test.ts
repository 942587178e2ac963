// POST /v1/moderations on the OpenAI front door, through the gateway process with the official
// SDK: routed to an OpenAI-compatible upstream under the route's upstream model, answered in
// OpenAI's format under the caller's model name; a route whose backend has no moderations API
// answers 400 naming the provider.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_VERSION, documents, keyObjects, openAIBackend, openAIClient, postJson, secretObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startModerationUpstream, type ModerationUpstream } from './moderation-fixtures.js';

const key = testKey('modendpoint');

describe('POST /v1/moderations', () => {
  let upstream: ModerationUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startModerationUpstream();
    const compatible = { ...openAIBackend('compat', upstream.server.url, { model: 'omni-upstream' }), provider: 'openai-compatible' };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('openai', { apiKey: 'sk-upstream' }),
          { apiVersion: API_VERSION, kind: 'ModelRoute', metadata: { name: 'mod' }, spec: { model: 'mod', backends: [compatible] } },
          {
            apiVersion: API_VERSION,
            kind: 'ModelRoute',
            metadata: { name: 'claude' },
            spec: {
              model: 'claude',
              backends: [
                {
                  name: 'anth',
                  provider: 'anthropic',
                  model: 'claude-x',
                  baseURL: upstream.server.url,
                  credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
                },
              ],
            },
          },
          ...keyObjects({ name: 'app', key }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('answers a string input through the SDK in OpenAI format', async () => {
    const answer = await openAIClient(gateway, key).moderations.create({ model: 'mod', input: 'I will kill the process' });
    expect(answer.model).toBe('mod');
    expect(answer.results).toHaveLength(1);
    expect(answer.results[0]?.flagged).toBe(true);
    expect(answer.results[0]?.categories.violence).toBe(true);
    expect(answer.results[0]?.category_scores.violence).toBeCloseTo(0.97);
    // The upstream got the route's model and the caller's string as a string.
    expect(upstream.moderationBodies().at(-1)).toEqual({ model: 'omni-upstream', input: 'I will kill the process' });
  });

  it('answers an array input with one result per text, in order', async () => {
    const answer = await openAIClient(gateway, key).moderations.create({ model: 'mod', input: ['hello there', 'kill it'] });
    expect(answer.results.map((r) => r.flagged)).toEqual([false, true]);
    expect(upstream.moderationBodies().at(-1)?.input).toEqual(['hello there', 'kill it']);
  });

  it('refuses a route whose provider has no moderations API, naming the provider', async () => {
    const before = upstream.server.requests.length;
    const answer = await postJson(gateway, '/v1/moderations', key, { model: 'claude', input: 'hello' });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toContain('not supported by provider anthropic');
    expect(upstream.server.requests.length).toBe(before);
  });

  it('refuses a request without a model or with an image input', async () => {
    const noModel = await postJson(gateway, '/v1/moderations', key, { input: 'hello' });
    expect(noModel.status).toBe(400);
    expect(JSON.stringify(noModel.json)).toContain("'model'");
    const image = await postJson(gateway, '/v1/moderations', key, {
      model: 'mod',
      input: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }],
    });
    expect(image.status).toBe(400);
    expect(JSON.stringify(image.json)).toContain('images are not supported');
  });
});
