// @google/genai `models.list` / `models.get` through the Gemini front door: Google's list shape,
// names as `models/<name>`, only the routes the calling key may use, paged: the list-models and
// get-model endpoints the Gemini front door declares, run by the pipeline.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError } from '@google/genai';
import { modelFor, NARROW_KEY, providersInTree, startRig, VIRTUAL_KEY, type Rig } from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

describe('models list', () => {
  it('gemini front door: models.list shows every route the key may use, as models/<name>', async () => {
    const names: string[] = [];
    const pager = await rig.client.models.list({ config: { pageSize: 2 } });
    for await (const model of pager) names.push(model.name ?? '');
    expect(names).toEqual(
      providersInTree()
        .map((p) => `models/${modelFor(p)}`)
        .sort(),
    );
  });

  it('gemini front door: a key limited to one route lists only it', async () => {
    const names: string[] = [];
    for await (const model of await rig.clientWithKey(NARROW_KEY).models.list()) names.push(model.name ?? '');
    expect(names).toEqual(['models/via-mock']);
  });

  it('gemini front door: models.get describes one model, 404 for one the key may not use', async () => {
    const model = await rig.client.models.get({ model: modelFor('openai') });
    expect(model).toMatchObject({ name: 'models/via-openai', displayName: 'via-openai' });
    expect(model.supportedActions).toEqual(expect.arrayContaining(['generateContent', 'countTokens', 'embedContent']));

    const error = await rig
      .clientWithKey(NARROW_KEY)
      .models.get({ model: modelFor('openai') })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect(JSON.parse((error as ApiError).message)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it("gemini front door: the list in Google's raw shape, with the key in ?key=", async () => {
    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models?pageSize=1&key=${VIRTUAL_KEY}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { models: unknown[]; nextPageToken?: string };
    expect(body.models).toEqual([
      {
        name: 'models/via-anthropic',
        baseModelId: 'via-anthropic',
        version: 'switchyard',
        displayName: 'via-anthropic',
        description: 'Switchyard model route via-anthropic',
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'],
      },
    ]);
    expect(body.nextPageToken).toEqual(expect.any(String));
  });

  it.each([
    ['GET', '/genai/v1beta/models/via-mock:generateContent', 405, 'UNIMPLEMENTED'],
    ['POST', '/genai/v1beta/models', 405, 'UNIMPLEMENTED'],
    ['POST', '/genai/v1beta/models/via-mock:predict', 404, 'NOT_FOUND'],
    ['GET', '/genai/v1beta/tunedModels', 404, 'NOT_FOUND'],
  ])("gemini front door: %s %s is a %d in Google's shape", async (method, path, code, status) => {
    const response = await fetch(`${rig.gateway.url}${path}`, { method, headers: { 'x-goog-api-key': VIRTUAL_KEY } });
    expect(response.status).toBe(code);
    expect(await response.json()).toMatchObject({ error: { code, status } });
  });
});
