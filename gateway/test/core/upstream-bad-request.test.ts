// An upstream 400/422 is the caller's problem: it passes through with its status and message
// and is not retried or failed over.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  documents,
  errorOf,
  HELLO,
  keyObjects,
  openAIBackend,
  openAIClient,
  postJson,
  routeObject,
  secretObject,
  testKey,
} from './core-fixtures.js';

const key = testKey('badrequest');

describe('upstream 400 and 422', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'strict',
            backends: [openAIBackend('a', upstream.url, { priority: 0 }), openAIBackend('b', upstream.url, { priority: 1 })],
            retry: { attempts: 3 },
            fallbackModels: ['other'],
          }),
          routeObject({ name: 'other', backends: [openAIBackend('c', upstream.url)] }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it.each([400, 422])('passes an upstream %i through unchanged and does not retry', async (status) => {
    upstream.reset();
    upstream.script({
      error: { status, message: "Invalid value for 'temperature': must be <= 2.", type: 'invalid_request_error', param: 'temperature' },
    });
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'strict', messages: HELLO });
    expect(response.status).toBe(status);
    expect(errorOf(response.json).message).toContain("Invalid value for 'temperature'");
    expect(errorOf(response.json).type).toBe('invalid_request_error');
    expect(upstream.chatRequests).toHaveLength(1);
  });

  it('reaches SDK callers as BadRequestError with the upstream message', async () => {
    upstream.reset();
    upstream.script({
      error: { status: 400, message: 'context length exceeded', type: 'invalid_request_error', code: 'context_length_exceeded' },
    });
    await expect(openAIClient(gateway, key).chat.completions.create({ model: 'strict', messages: HELLO })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('context length exceeded'),
    });
  });
});
