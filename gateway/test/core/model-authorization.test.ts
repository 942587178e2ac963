// The key's allow-list (globs, matching names and aliases) -> 403; a model the key's namespace
// does not have -> 404 model_not_found.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, mockBackend, openAIClient, postJson, routeObject, testKey } from './core-fixtures.js';

const claudeOnly = testKey('claudeonly');
const aliasOnly = testKey('aliasonly');
const everything = testKey('everything');

describe('model authorization', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...keyObjects({ name: 'claude-only', key: claudeOnly, allowedModels: ['claude-*'] }),
          ...keyObjects({ name: 'alias-only', key: aliasOnly, allowedModels: ['gpt-latest'] }),
          ...keyObjects({ name: 'everything', key: everything }),
        ),
        'routes.yaml': documents(
          routeObject({ name: 'gpt', aliases: ['gpt-latest'], backends: [mockBackend('gpt-mock')] }),
          routeObject({ name: 'claude-sonnet', backends: [mockBackend('claude-mock')] }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('lets a glob admit matching models', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', claudeOnly, { model: 'claude-sonnet', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-backend')).toBe('claude-mock');
  });

  it('refuses a model outside the allow-list with 403', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', claudeOnly, { model: 'gpt', messages: HELLO });
    expect(response.status).toBe(403);
    expect(errorOf(response.json)).toMatchObject({ type: 'permission_error', code: 'model_not_allowed', param: 'model' });
    expect(errorOf(response.json).message).toContain('default/claude-only');
  });

  it('matches globs against aliases: an alias in the list admits the route by either name', async () => {
    expect((await postJson(gateway, '/v1/chat/completions', aliasOnly, { model: 'gpt-latest', messages: HELLO })).status).toBe(200);
    expect((await postJson(gateway, '/v1/chat/completions', aliasOnly, { model: 'gpt', messages: HELLO })).status).toBe(200);
    expect((await postJson(gateway, '/v1/chat/completions', aliasOnly, { model: 'claude-sonnet', messages: HELLO })).status).toBe(403);
  });

  it('answers 404 model_not_found for a model no route publishes', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', everything, { model: 'no-such-model', messages: HELLO });
    expect(response.status).toBe(404);
    expect(errorOf(response.json)).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('surfaces 403 and 404 as the SDK error classes', async () => {
    const client = openAIClient(gateway, claudeOnly);
    await expect(client.chat.completions.create({ model: 'gpt', messages: HELLO })).rejects.toMatchObject({ status: 403 });
    await expect(client.chat.completions.create({ model: 'missing', messages: HELLO })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });
});
