// 401 for a missing, unknown, disabled or expired key; each of the three key headers works.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, mockBackend, openAIClient, postJson, routeObject, testKey } from './core-fixtures.js';

const active = testKey('active');
const disabled = testKey('disabled');
const expired = testKey('expired');

describe('authentication', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...keyObjects({ name: 'active', key: active }),
          ...keyObjects({ name: 'disabled', key: disabled, disabled: true }),
          ...keyObjects({ name: 'expired', key: expired, expiresAt: '2020-01-01T00:00:00Z' }),
        ),
        'route.yaml': documents(routeObject({ name: 'echo', backends: [mockBackend('mock-a')] })),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('accepts Authorization: Bearer through the OpenAI SDK', async () => {
    const completion = await openAIClient(gateway, active).chat.completions.create({ model: 'echo', messages: HELLO });
    expect(completion.choices[0]?.message.content).toBe('Mock reply to: hello');
  });

  it.each(['x-api-key', 'x-goog-api-key'])('accepts the key in %s', async (header) => {
    const response = await postJson(gateway, '/v1/chat/completions', undefined, { model: 'echo', messages: HELLO }, { [header]: active });
    expect(response.status).toBe(200);
  });

  it.each([
    ['no key', undefined, /missing API key/],
    ['an unknown key', testKey('unknown'), /invalid API key/],
    ['a disabled key', disabled, /default\/disabled is disabled/],
    ['an expired key', expired, /default\/expired expired at 2020-01-01T00:00:00.000Z/],
  ])('refuses %s with 401', async (_label, key, message) => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'echo', messages: HELLO });
    expect(response.status).toBe(401);
    expect(errorOf(response.json).type).toBe('authentication_error');
    expect(errorOf(response.json).message).toMatch(message);
  });

  it('surfaces as AuthenticationError in the SDK', async () => {
    await expect(
      openAIClient(gateway, testKey('wrong')).chat.completions.create({ model: 'echo', messages: HELLO }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('never logs a key, only key names', async () => {
    await postJson(gateway, '/v1/chat/completions', active, { model: 'echo', messages: HELLO });
    await postJson(gateway, '/v1/chat/completions', disabled, { model: 'echo', messages: HELLO });
    const logs = gateway.logs();
    expect(logs).toContain('"key":"default/active"');
    for (const key of [active, disabled, expired]) expect(logs).not.toContain(key);
  });
});
