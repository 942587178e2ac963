// Webhook checks go out through the gateway's upstream transport, so the egress guard
// (--deny-upstream-cidrs) refuses them like a provider or MCP upstream: by literal address and by
// a name that resolves into a denied range. The webhook service never receives the texts; the
// refusal is a failure that failurePolicy decides (Closed blocks, naming the flag but never the
// address; Open lets the request through, recorded). A gateway without the flag reaches it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { API_VERSION, documents, keyObjects, mockBackend, openAIClient, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { policyObject, requestLines } from './guardrail-fixtures.js';

const closedKey = testKey('grhookegressc');
const namedKey = testKey('grhookegressn');
const openKey = testKey('grhookegresso');

describe('webhook checks and the egress guard', () => {
  let hook: MockHttpServer;
  let guarded: GatewayProcess;
  let unguarded: GatewayProcess;

  beforeAll(async () => {
    hook = await startMockHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"verdict":"allow"}');
    });
    const check = (url: string, failurePolicy: string) => ({ name: 'hook', type: 'webhook', url, failurePolicy, on: 'input' });
    const manifests = documents(
      { apiVersion: API_VERSION, kind: 'ModelRoute', metadata: { name: 'chat' }, spec: { model: 'chat', backends: [mockBackend('m')] } },
      ...keyObjects({ name: 'closed', key: closedKey, labels: { g: 'closed' } }),
      ...keyObjects({ name: 'named', key: namedKey, labels: { g: 'named' } }),
      ...keyObjects({ name: 'open', key: openKey, labels: { g: 'open' } }),
      policyObject('closed', { g: 'closed' }, [check(`${hook.url}/check`, 'Closed')]),
      policyObject('named', { g: 'named' }, [check(`http://localhost:${hook.port}/check`, 'Closed')]),
      policyObject('open', { g: 'open' }, [check(`${hook.url}/check`, 'Open')]),
    );
    // The mock backend answers in-process, so only the webhook goes out to loopback.
    [guarded, unguarded] = await Promise.all([
      startGateway({ manifests: { 'all.yaml': manifests }, args: ['--deny-upstream-cidrs', '127.0.0.0/8,::1/128'] }),
      startGateway({ manifests: { 'all.yaml': manifests } }),
    ]);
  });
  afterAll(async () => {
    await guarded?.stop();
    await unguarded?.stop();
    await hook?.close();
  });

  const ask = (gateway: GatewayProcess, key: string) =>
    openAIClient(gateway, key)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello there' }] })
      .then(
        (answer) => ({ answer, error: undefined }),
        (error: unknown) => ({ answer: undefined, error: error as InstanceType<typeof OpenAI.APIError> }),
      );

  it('refuses a webhook at a denied address: failurePolicy Closed blocks, naming the flag, and the service gets nothing', async () => {
    const before = hook.requests.length;
    for (const key of [closedKey, namedKey]) {
      const { error } = await ask(guarded, key);
      expect(error?.status).toBe(400);
      expect(error?.code).toBe('guardrail_blocked');
      expect(error?.message).toContain(
        'the webhook was refused by the egress guard: its address is in --deny-upstream-cidrs; failurePolicy is Closed',
      );
      expect(error?.message).not.toContain('127.0.0.1');
    }
    expect(hook.requests.length).toBe(before);
  });

  it('lets the request through with failurePolicy Open, recording the failure', async () => {
    const { answer, error } = await ask(guarded, openKey);
    expect(error).toBeUndefined();
    expect(answer?.choices[0]?.message.content).toBeTruthy();
    await eventually(async () => requestLines(guarded).some((l) => l.key === 'default/open'));
    expect(requestLines(guarded).find((l) => l.key === 'default/open')?.guardrails).toEqual([
      { policy: 'default/open', check: 'hook', action: 'log', on: 'input', failure: 'failed_open' },
    ]);
  });

  it('reaches the same webhook from a gateway whose egress guard allows it', async () => {
    const before = hook.requests.length;
    const { error } = await ask(unguarded, closedKey);
    expect(error).toBeUndefined();
    expect(hook.requests.length).toBe(before + 1);
    expect((hook.requests.at(-1)?.json as { texts?: string[] } | undefined)?.texts).toEqual(['hello there']);
  });
});
