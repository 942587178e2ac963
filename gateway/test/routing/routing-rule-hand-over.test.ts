// Rules that hand a request to another route (ModelRoute spec.rules[].route) through the gateway
// with the OpenAI SDK: a matching request is served, priced and logged by the named route
// (its backends, its prices), a rule naming a route the key may not use is passed over and the
// next rule decides, the named route's own hand-over rules are not followed (one hand-over per
// request, so two routes naming each other cannot loop), and requests no rule matches stay.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { API_VERSION, documents, keyObjects, mockBackend, openAIClient, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('handover');

function route(model: string, backend: string, price: string, rules: Array<Record<string, unknown>> = []): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name: model, namespace: 'default' },
    spec: {
      model,
      backends: [{ ...mockBackend(backend), pricing: { inputPerMillion: price, outputPerMillion: price } }],
      ...(rules.length === 0 ? {} : { rules }),
    },
  };
}

describe('rules that hand a request to another route', () => {
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'caller', key, allowedModels: ['assistant', 'mini'] }),
          route('assistant', 'frontier', '100', [
            { name: 'to-private', match: { tags: ['private'] }, route: 'private' },
            { name: 'private-fallback', match: { tags: ['private'] }, backends: ['frontier'] },
            { name: 'classify', match: { tags: ['classify'] }, route: 'mini' },
          ]),
          // mini hands everything back: never followed for a request that was handed to it.
          route('mini', 'small', '1', [{ name: 'back', match: {}, route: 'assistant' }]),
          // Not in the key's allow-list.
          route('private', 'secret', '1'),
        ),
      },
    });
    client = openAIClient(gateway, key);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  async function ask(tags?: string): Promise<{ backend: string | null; cost: number; requestId: string | null }> {
    const { response } = await client.chat.completions
      .create(
        { model: 'assistant', messages: [{ role: 'user', content: 'Sort these tickets by urgency, please.' }] },
        { headers: tags === undefined ? {} : { 'x-switchyard-tags': tags } },
      )
      .withResponse();
    return {
      backend: response.headers.get('x-switchyard-backend'),
      cost: Number(response.headers.get('x-switchyard-cost-usd')),
      requestId: response.headers.get('x-request-id'),
    };
  }

  function requestLine(requestId: string | null): Record<string, unknown> | undefined {
    return gateway
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'request' && line.requestId === requestId);
  }

  it('serves a matching request on the named route, at its prices, and logs the route and rule', async () => {
    const stays = await ask();
    const handed = await ask('classify');
    expect(stays.backend).toBe('frontier');
    expect(handed.backend).toBe('small');
    // The same prompt and answer, priced at 1 instead of 100 per million tokens.
    expect(handed.cost).toBeGreaterThan(0);
    expect(handed.cost * 50).toBeLessThan(stays.cost);
    await eventually(async () => requestLine(handed.requestId) !== undefined);
    expect(requestLine(handed.requestId)).toMatchObject({ model: 'assistant', route: 'default/mini', rule: 'classify' });
  });

  it('passes over a rule naming a route the key may not use: the next matching rule decides', async () => {
    expect((await ask('private')).backend).toBe('frontier');
  });

  it("does not follow the named route's own hand-over rules", async () => {
    // mini's rule would hand the request back to assistant (and assistant to mini, and so on).
    expect((await ask('classify')).backend).toBe('small');
    const direct = await client.chat.completions.create({ model: 'mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    // Asked for directly, mini's own rule hands the request to assistant, whose classify rule is not followed.
    expect(direct.response.headers.get('x-switchyard-backend')).toBe('frontier');
  });
});
