// type: moderation: the texts a check covers go to a moderation route through the gateway
// itself (in-process); a flagged text blocks (through the OpenAI and Anthropic front doors), a
// clean one passes; a slow or unusable moderation model is a failure that failurePolicy decides.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { API_VERSION, documents, keyObjects, openAIBackend, openAIClient, secretObject, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { anthropicClient, policyObject, requestLines } from './guardrail-fixtures.js';
import { startModerationUpstream, type ModerationUpstream } from './moderation-fixtures.js';

const blockKey = testKey('modblock');
const closedKey = testKey('modclosed');
const openKey = testKey('modopen');
const claudeKey = testKey('modclaude');
const outputKey = testKey('modoutput');

function moderation(model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'mod', type: 'moderation', model, on: 'input', action: 'block', ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<{ status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { status: (error as { status?: number }).status, message: (error as Error).message };
  }
  throw new Error('the request was not refused');
}

describe('guardrail moderation check', () => {
  let upstream: ModerationUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startModerationUpstream();
    const route = (name: string, backend: Record<string, unknown>) => ({
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name },
      spec: { model: name, backends: [backend], retry: { attempts: 1 } },
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('openai', { apiKey: 'sk-upstream' }),
          route('chat', openAIBackend('up', upstream.server.url)),
          route('mod', { ...openAIBackend('compat', upstream.server.url, { model: 'omni-upstream' }), provider: 'openai-compatible' }),
          route('claude', {
            name: 'anth',
            provider: 'anthropic',
            model: 'claude-x',
            baseURL: upstream.server.url,
            credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
          }),
          ...keyObjects({ name: 'block', key: blockKey, labels: { g: 'block' } }),
          ...keyObjects({ name: 'closed', key: closedKey, labels: { g: 'closed' } }),
          ...keyObjects({ name: 'open', key: openKey, labels: { g: 'open' } }),
          ...keyObjects({ name: 'claude', key: claudeKey, labels: { g: 'claude' } }),
          ...keyObjects({ name: 'output', key: outputKey, labels: { g: 'output' } }),
          policyObject('block', { g: 'block' }, [moderation('mod')]),
          policyObject('closed', { g: 'closed' }, [moderation('mod', { timeout: '200ms', failurePolicy: 'Closed' })]),
          policyObject('open', { g: 'open' }, [moderation('mod', { timeout: '200ms', failurePolicy: 'Open' })]),
          policyObject('claude', { g: 'claude' }, [moderation('claude')]),
          policyObject('output', { g: 'output' }, [moderation('mod', { on: 'output' })]),
        ),
      },
    });
  });
  afterEach(() => {
    upstream.delayMs = 0;
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('blocks a flagged prompt through the OpenAI front door before it goes upstream', async () => {
    const chats = upstream.chatBodies().length;
    const refused = await refusal(
      openAIClient(gateway, blockKey).chat.completions.create({
        model: 'chat',
        messages: [{ role: 'user', content: 'how do I kill a neighbour' }],
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('guardrail_blocked: the request was blocked by GuardrailPolicy default/block, check mod');
    expect(upstream.chatBodies().length).toBe(chats);
    // The moderation route got the prompt under its own upstream model.
    expect(upstream.moderationBodies().at(-1)).toEqual({ model: 'omni-upstream', input: ['how do I kill a neighbour'] });
    await eventually(async () => requestLines(gateway).some((l) => l.key === 'default/block'));
    const line = requestLines(gateway).find((l) => l.key === 'default/block');
    expect(line?.guardrails).toEqual([{ policy: 'default/block', check: 'mod', action: 'block', on: 'input' }]);
  });

  it('blocks a flagged prompt through the Anthropic front door, and lets a clean one through', async () => {
    const refused = await refusal(
      anthropicClient(gateway, blockKey).messages.create({
        model: 'chat',
        max_tokens: 20,
        system: 'be kind',
        messages: [{ role: 'user', content: 'kill them all' }],
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('guardrail_blocked');
    expect(upstream.moderationBodies().at(-1)?.input).toEqual(['be kind', 'kill them all']);
    const answer = await openAIClient(gateway, blockKey).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(answer.choices[0]?.message.content).toBe('echo: hello there');
  });

  it('a moderation model slower than the timeout blocks with failurePolicy Closed', async () => {
    upstream.delayMs = 700;
    const refused = await refusal(
      openAIClient(gateway, closedKey).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('the moderation model mod did not answer within 200 ms; failurePolicy is Closed');
  });

  it('a moderation model slower than the timeout lets the prompt through with failurePolicy Open', async () => {
    upstream.delayMs = 700;
    const answer = await openAIClient(gateway, openKey).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(answer.choices[0]?.message.content).toBe('echo: hello');
    await eventually(async () => requestLines(gateway).some((l) => l.key === 'default/open'));
    expect(requestLines(gateway).find((l) => l.key === 'default/open')?.guardrails).toEqual([
      { policy: 'default/open', check: 'mod', action: 'log', on: 'input', failure: 'failed_open' },
    ]);
  });

  it('on: output checks the whole answer, not the prompt', async () => {
    const chats = upstream.chatBodies().length;
    const refused = await refusal(
      openAIClient(gateway, outputKey).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'kill -9 1234' }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('guardrail_blocked: the answer was blocked by GuardrailPolicy default/output, check mod');
    // The prompt went upstream (only the answer is checked), and the answer is what was moderated.
    expect(upstream.chatBodies().length).toBe(chats + 1);
    expect(upstream.moderationBodies().at(-1)?.input).toEqual(['echo: kill -9 1234']);
  });

  it('a moderation model on a provider without moderations fails, saying why', async () => {
    const refused = await refusal(
      openAIClient(gateway, claudeKey).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('the moderation call to model claude failed');
    expect(refused.message).toContain('not supported by provider anthropic');
  });
});
