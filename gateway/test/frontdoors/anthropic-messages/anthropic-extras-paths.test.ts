// Every path under /anthropic/ is answered in Anthropic's shape (unknown ones with its 404, from
// the front door's declared root; served ones asked with another method with its 405); the test
// server leaves other paths alone.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAnthropicExtrasServer, type AnthropicExtrasServer } from './anthropic-extras-server.js';
import { documents, FRONT_DOOR_KEY, route, virtualKey } from './anthropic-sdk-support.js';

let server: AnthropicExtrasServer;

beforeAll(async () => {
  server = await startAnthropicExtrasServer(documents(...virtualKey(), route('claude', [{ name: 'm1', provider: 'mock', model: 'x' }])));
});
afterAll(async () => {
  await server?.close();
});

describe('anthropic front door: paths under /anthropic/', () => {
  const unknown: Array<[string, string, string]> = [
    ['the Batches API', 'POST', '/anthropic/v1/messages/batches'],
    ['an unknown version', 'GET', '/anthropic/v2/models'],
  ];

  it.each(unknown)("%s is a 404 in Anthropic's shape", async (_name, method, path) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'x-api-key': FRONT_DOOR_KEY, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining(path) } });
    expect(response.headers.get('x-request-id')).toMatch(/^req-extras-/);
  });

  const wrongMethod: Array<[string, string, string, string]> = [
    ['GET on messages', 'GET', '/anthropic/v1/messages', 'POST'],
    ['POST on models', 'POST', '/anthropic/v1/models', 'GET, HEAD'],
  ];

  it.each(wrongMethod)("%s is a 405 in Anthropic's shape, with Allow", async (_name, method, path, allow) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'x-api-key': FRONT_DOOR_KEY, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining(path) },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req-extras-/);
  });

  it('paths outside /anthropic/ are not taken', async () => {
    const response = await fetch(`${server.url}/v1/models`, { headers: { 'x-api-key': FRONT_DOOR_KEY } });
    expect(response.status).toBe(418);
  });
});
