// Bad request bodies get a 400 that names the problem, and the gateway keeps serving.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('malformed');

describe('malformed requests', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })) },
    });
  });
  afterAll(async () => gateway?.stop());

  it.each([
    ['truncated JSON', '{"model":"echo","messages":[', /not valid JSON/],
    ['a trailing comma', '{"model":"echo",}', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['an array', '[1,2]', /must be a JSON object, got an array/],
    ['a string', '"hi"', /must be a JSON object, got string/],
  ])('answers 400 for %s', async (_label, body, message) => {
    const response = await postJson(gateway, '/v1/chat/completions', key, body);
    expect(response.status).toBe(400);
    expect(errorOf(response.json).type).toBe('invalid_request_error');
    expect(errorOf(response.json).message).toMatch(message);
  });

  it('answers 400 naming the field when the front door rejects the request', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: 'not a list' });
    expect(response.status).toBe(400);
    expect(errorOf(response.json).param).toMatch(/messages/);
  });

  it('answers 404 in the OpenAI error shape for an unknown path', async () => {
    const response = await postJson(gateway, '/v1/nothing-here', key, {});
    expect(response.status).toBe(404);
    expect(errorOf(response.json).message).toContain('POST /v1/nothing-here');
  });

  it('survives a garbage request line and still serves', async () => {
    const { connect } = await import('node:net');
    const url = new URL(gateway.url);
    await new Promise<void>((resolveSocket) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      socket.on('close', () => resolveSocket());
      socket.on('error', () => resolveSocket());
      socket.resume();
    });
    expect((await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: HELLO })).status).toBe(200);
  });
});
