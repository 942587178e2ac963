// Webhook checks against a local service that allows, blocks, rewrites or answers too late: the
// documented JSON contract, the rewrite reaching the upstream, and failurePolicy Open (let through,
// recorded) and Closed (blocked) on a timeout.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import {
  guardrailManifests,
  lastUserContent,
  openAIClient,
  policyObject,
  requestLines,
  startScriptedUpstream,
  testKey,
  type ScriptedUpstream,
} from './guardrail-fixtures.js';

const closedKey = testKey('grhookc');
const openKey = testKey('grhooko');

describe('guardrail webhook', () => {
  let upstream: ScriptedUpstream;
  let hook: MockHttpServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    hook = await startMockHttpServer(async (request, res) => {
      const { texts } = request.json as { texts: string[] };
      const all = texts.join(' ');
      if (all.includes('HOOK_SLOW')) await new Promise((r) => setTimeout(r, 3000));
      const answer = all.includes('HOOK_BLOCK')
        ? { verdict: 'block' }
        : all.includes('HOOK_REWRITE')
          ? { verdict: 'rewrite', texts: texts.map((t) => t.replace('HOOK_REWRITE', '[rewritten]')) }
          : { verdict: 'allow' };
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    const hookCheck = (failurePolicy: string) => ({
      name: 'hook',
      type: 'webhook',
      url: `${hook.url}/check`,
      timeout: '300ms',
      failurePolicy,
      on: 'input',
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': guardrailManifests(
          upstream.server.url,
          [
            { name: 'closed', key: closedKey, labels: { hook: 'closed' } },
            { name: 'open', key: openKey, labels: { hook: 'open' } },
          ],
          policyObject('closed', { hook: 'closed' }, [hookCheck('Closed')]),
          policyObject('open', { hook: 'open' }, [hookCheck('Open')]),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
    await hook?.close();
  });

  it('posts the documented request and lets an allowed prompt through', async () => {
    const answer = await openAIClient(gateway, closedKey).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'SAY:hello' }],
    });
    expect(answer.choices[0]?.message.content).toBe('hello');
    const sent = hook.requests.at(-1);
    expect(sent?.method).toBe('POST');
    expect(sent?.json).toMatchObject({
      version: 'v1',
      policy: 'default/closed',
      check: 'hook',
      on: 'input',
      key: 'default/closed',
      model: 'chat',
      texts: ['SAY:hello'],
    });
  });

  it('blocks on a block verdict and sends the rewrite upstream', async () => {
    const error = await openAIClient(gateway, closedKey)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'HOOK_BLOCK this' }] })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('guardrail_blocked');
    expect((error as Error).message).toContain('GuardrailPolicy default/closed, check hook');

    await openAIClient(gateway, closedKey).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'please HOOK_REWRITE me' }],
    });
    expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe('please [rewritten] me');
  });

  it('blocks on a timeout when failurePolicy is Closed', async () => {
    const before = upstream.bodies().length;
    const error = await openAIClient(gateway, closedKey)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'HOOK_SLOW' }] })
      .catch((e: unknown) => e);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('guardrail_blocked');
    expect(apiError.message).toContain('did not answer within 300 ms; failurePolicy is Closed');
    expect(upstream.bodies().length).toBe(before);
  });

  it('lets the prompt through on a timeout when failurePolicy is Open, and records it', async () => {
    const answer = await openAIClient(gateway, openKey).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'SAY:HOOK_SLOW but fine' }],
    });
    expect(answer.choices[0]?.message.content).toBe('HOOK_SLOW but fine');
    // The log line is written just after the answer: wait for it.
    await eventually(async () => requestLines(gateway).some((l) => l.key === 'default/open'));
    const line = requestLines(gateway).find((l) => l.key === 'default/open');
    expect(line?.guardrails).toEqual([{ policy: 'default/open', check: 'hook', action: 'log', on: 'input', failure: 'failed_open' }]);
  });
});
