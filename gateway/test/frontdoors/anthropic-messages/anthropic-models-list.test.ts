// GET /anthropic/v1/models and /anthropic/v1/models/{id}: Anthropic's list shape and paging, only
// the models the calling key may use, as the official SDK's `client.models` sees them.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { startAnthropicExtrasServer, type AnthropicExtrasServer } from './anthropic-extras-server.js';
import { documents, FRONT_DOOR_KEY, route, virtualKey } from './anthropic-sdk-support.js';

const LIMITED_KEY = 'sk-sy-AnthropicModelsLimited0123456789abcdef';
const ALL_MODELS = ['claude-a', 'claude-a-latest', 'claude-b', 'claude-c', 'gpt-x'];

let server: AnthropicExtrasServer;
let client: Anthropic;

beforeAll(async () => {
  const mock = (name: string): Record<string, unknown> => ({ name, provider: 'mock', model: 'x' });
  server = await startAnthropicExtrasServer(
    documents(
      ...virtualKey(),
      ...virtualKey('limited', LIMITED_KEY, ['claude-*']),
      route('claude-a', [mock('a')], { aliases: ['claude-a-latest'] }),
      route('claude-b', [mock('b')]),
      route('claude-c', [mock('c')]),
      route('gpt-x', [mock('x')]),
    ),
  );
  client = new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: FRONT_DOOR_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
});

async function getJson(path: string, key = FRONT_DOOR_KEY): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': key } });
  return { status: response.status, json: await response.json() };
}

describe('anthropic front door: models list', () => {
  it('lists every model name and alias the key may use, as ModelInfo objects', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model).toMatchObject({ type: 'model', display_name: model.id });
      expect(Number.isNaN(Date.parse(model.created_at))).toBe(false);
      ids.push(model.id);
    }
    expect(ids).toEqual(ALL_MODELS);
  });

  it("the raw page has Anthropic's fields", async () => {
    const { status, json } = await getJson('/anthropic/v1/models');
    expect(status).toBe(200);
    expect(json).toMatchObject({ has_more: false, first_id: 'claude-a', last_id: 'gpt-x' });
    expect((json as { data: unknown[] }).data).toHaveLength(ALL_MODELS.length);
  });

  it('a key with an allow-list sees only what it may use', async () => {
    const limited = new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: LIMITED_KEY, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of limited.models.list()) ids.push(model.id);
    expect(ids).toEqual(['claude-a', 'claude-a-latest', 'claude-b', 'claude-c']);
  });

  it('pages forwards with limit and after_id, and the SDK follows them', async () => {
    const first = await client.models.list({ limit: 2 });
    expect(first.data.map((m) => m.id)).toEqual(['claude-a', 'claude-a-latest']);
    expect(first.has_more).toBe(true);
    expect(first.last_id).toBe('claude-a-latest');
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) ids.push(model.id);
    expect(ids).toEqual(ALL_MODELS);
  });

  const pages: Array<[string, string, string[], boolean]> = [
    ['after_id', '?after_id=claude-b&limit=2', ['claude-c', 'gpt-x'], false],
    ['after_id with more left', '?after_id=claude-a&limit=2', ['claude-a-latest', 'claude-b'], true],
    ['before_id', '?before_id=claude-c&limit=2', ['claude-a-latest', 'claude-b'], true],
    ['before_id at the start', '?before_id=claude-a-latest&limit=5', ['claude-a'], false],
  ];
  it.each(pages)('paging: %s', async (_name, query, ids, hasMore) => {
    const { json } = await getJson(`/anthropic/v1/models${query}`);
    const page = json as { data: Array<{ id: string }>; has_more: boolean; first_id: string; last_id: string };
    expect(page.data.map((m) => m.id)).toEqual(ids);
    expect(page.has_more).toBe(hasMore);
    expect(page.first_id).toBe(ids[0]);
    expect(page.last_id).toBe(ids[ids.length - 1]);
  });

  it('a bad limit or an unknown cursor is a 400 naming the parameter', async () => {
    const badLimit = await getJson('/anthropic/v1/models?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.json).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringMatching(/^limit: /) },
    });
    const badCursor = await getJson('/anthropic/v1/models?after_id=unknown');
    expect(badCursor.status).toBe(400);
    expect(badCursor.json).toMatchObject({ error: { message: expect.stringMatching(/^after_id: /) } });
  });

  it('retrieves one model, and 404s one the key may not use', async () => {
    const model = await client.models.retrieve('claude-b');
    expect(model).toMatchObject({ type: 'model', id: 'claude-b', display_name: 'claude-b' });
    const limited = new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: LIMITED_KEY, maxRetries: 0 });
    const error = await limited.models.retrieve('gpt-x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
  });

  it("401 without a key, in Anthropic's error shape", async () => {
    const response = await fetch(`${server.url}/anthropic/v1/models`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
});
