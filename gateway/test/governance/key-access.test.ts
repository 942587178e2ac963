// Issue 4 "Keys and access" through the OpenAI SDK: the allow-list refuses other models (403)
// and /v1/models lists only allowed ones; disabled and expired keys get 401 naming the key;
// every log line and metric names the key by namespace/name, never by its value.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  API_VERSION,
  documents,
  governedKey,
  HELLO,
  logRecords,
  metricValue,
  mockBackend,
  openAIClient,
  routeObject,
  testKey,
} from './governance-fixtures.js';

const claudeOnly = testKey('accessclaude');
const disabledKey = testKey('accessdisabled');
const expiredKey = testKey('accessexpired');

function keyWith(name: string, key: string, spec: Record<string, unknown>): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'default' }, stringData: { key } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name, namespace: 'default' }, spec: { secretName: `${name}-key`, ...spec } },
  ];
}

describe('key access', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(
          ...governedKey({ name: 'claude-only', key: claudeOnly, allowedModels: ['claude-*'] }),
          ...keyWith('switched-off', disabledKey, { disabled: true }),
          ...keyWith('lapsed', expiredKey, { expiresAt: '2021-06-01T00:00:00Z' }),
        ),
        'routes.yaml': documents(
          routeObject({ name: 'claude-sonnet', aliases: ['claude-latest'], backends: [mockBackend('claude-mock')] }),
          routeObject({ name: 'gpt-4o', backends: [mockBackend('gpt-mock')] }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('serves allowed models and refuses others with 403 naming the key', async () => {
    const client = openAIClient(gateway, claudeOnly);
    await expect(client.chat.completions.create({ model: 'claude-latest', messages: HELLO })).resolves.toMatchObject({
      object: 'chat.completion',
    });
    const refusal = await client.chat.completions.create({ model: 'gpt-4o', messages: HELLO }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refusal).toMatchObject({ status: 403, code: 'model_not_allowed' });
    expect((refusal as Error).message).toContain('default/claude-only');
  });

  it('lists only the allowed models', async () => {
    const models = await openAIClient(gateway, claudeOnly).models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['claude-latest', 'claude-sonnet']);
    await expect(openAIClient(gateway, claudeOnly).models.retrieve('gpt-4o')).rejects.toMatchObject({ status: 404 });
  });

  it.each([
    ['disabled', disabledKey, 'api_key_disabled', /API key default\/switched-off is disabled/],
    ['expired', expiredKey, 'api_key_expired', /API key default\/lapsed expired at 2021-06-01T00:00:00.000Z/],
  ])('refuses a %s key with 401 and a message naming it', async (_label, key, code, message) => {
    const error = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'claude-sonnet', messages: HELLO })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code });
    expect((error as Error).message).toMatch(message);
  });

  it('names the key, never its value, on the log line and the metrics of refused requests too', async () => {
    await openAIClient(gateway, disabledKey)
      .chat.completions.create({ model: 'claude-sonnet', messages: HELLO })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const lines = logRecords(gateway).filter((record) => record.msg === 'request');
    expect(lines.find((line) => line.status === 401 && line.key === 'default/switched-off')).toBeDefined();
    expect(lines.find((line) => line.status === 403 && line.key === 'default/claude-only')).toBeDefined();
    expect(await metricValue(gateway, 'switchyard_requests_total', { key: 'default/switched-off', status: '401' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(await metricValue(gateway, 'switchyard_requests_total', { key: 'default/lapsed', status: '401' })).toBeGreaterThanOrEqual(1);
    const everything = gateway.logs() + (await (await fetch(`${gateway.adminUrl}/metrics`)).text());
    for (const key of [claudeOnly, disabledKey, expiredKey]) expect(everything).not.toContain(key);
  });
});
