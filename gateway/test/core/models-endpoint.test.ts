// GET /v1/models lists only what the key may use (names and aliases), in OpenAI's list format.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, openAIClient, routeObject, testKey } from './core-fixtures.js';

const all = testKey('allmodels');
const limited = testKey('limited');
const otherTeam = testKey('otherteam');

describe('GET /v1/models', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...keyObjects({ name: 'all', key: all }),
          ...keyObjects({ name: 'limited', key: limited, allowedModels: ['small-*'] }),
          ...keyObjects({ name: 'other', key: otherTeam, namespace: 'team-b' }),
        ),
        'routes.yaml': documents(
          routeObject({ name: 'big', aliases: ['big-latest'], backends: [mockBackend('b')] }),
          routeObject({ name: 'small-one', backends: [mockBackend('s')] }),
          routeObject({ name: 'private', namespace: 'team-b', backends: [mockBackend('p')] }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('lists every model and alias a key may use', async () => {
    const page = await openAIClient(gateway, all).models.list();
    expect(page.data.map((m) => m.id)).toEqual(['big', 'big-latest', 'small-one']);
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'default' });
  });

  it('filters by the allow-list', async () => {
    const page = await openAIClient(gateway, limited).models.list();
    expect(page.data.map((m) => m.id)).toEqual(['small-one']);
  });

  it('shows a key the routes of its own namespace plus the shared one', async () => {
    const page = await openAIClient(gateway, otherTeam).models.list();
    expect(page.data.map((m) => m.id)).toEqual(['big', 'big-latest', 'private', 'small-one']);
  });

  it('describes one model, and 404s a model the key may not use', async () => {
    expect(await openAIClient(gateway, all).models.retrieve('big-latest')).toMatchObject({ id: 'big-latest', object: 'model' });
    await expect(openAIClient(gateway, limited).models.retrieve('big')).rejects.toMatchObject({ status: 404 });
    await expect(openAIClient(gateway, all).models.retrieve('private')).rejects.toMatchObject({ status: 404 });
  });

  it('requires a key', async () => {
    expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401);
  });
});
