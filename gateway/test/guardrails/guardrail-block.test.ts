// action: block, through every front door: a prompt that matches is refused with HTTP 400 and
// code guardrail_blocked in the caller's own error shape, naming the policy and the check and
// never the matched text, and nothing reaches the upstream. An answer that matches is replaced
// by the same error, whole or streamed (the stream ends with the front door's error event).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { eventually } from '../support/eventually.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import {
  anthropicClient,
  geminiClient,
  openAIClient,
  policyObject,
  requestLines,
  type ScriptedUpstream,
  startGuardrailGateway,
  testKey,
} from './guardrail-fixtures.js';

const key = testKey('grblock');
const other = testKey('grother');
const CARD = '4111 1111 1111 1111';

describe('guardrail block', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [
        { name: 'pay', key, labels: { team: 'payments' } },
        { name: 'web', key: other, labels: { team: 'web' } },
      ],
      [
        policyObject('pii', { team: 'payments' }, [
          { name: 'cards', type: 'pii', entities: ['credit_card', 'iban'], on: 'input', action: 'block' },
          { name: 'words', type: 'denylist', phrases: ['project falcon'], on: 'output', action: 'block' },
        ]),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('refuses a prompt through the OpenAI front door, naming policy and check, never the text', async () => {
    const before = upstream.bodies().length;
    const error = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `charge ${CARD} please` }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('guardrail_blocked');
    expect(apiError.message).toContain('GuardrailPolicy default/pii, check cards');
    expect(apiError.message).not.toContain('4111');
    expect(upstream.bodies().length).toBe(before);
  });

  it('refuses it through the Anthropic front door in its error shape', async () => {
    const error = await anthropicClient(gateway, key)
      .messages.create({ model: 'chat', max_tokens: 20, messages: [{ role: 'user', content: `IBAN DE89 3704 0044 0532 0130 00` }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(400);
    expect((apiError.error as { error: { type: string; message: string } }).error.type).toBe('invalid_request_error');
    expect(apiError.message).toContain('guardrail_blocked');
    expect(apiError.message).toContain('check cards');
    expect(apiError.message).not.toContain('DE89');
  });

  it('refuses it through the Gemini front door in Google’s error shape', async () => {
    const error = await geminiClient(gateway, key)
      .models.generateContent({ model: 'chat', contents: `my card is ${CARD}` })
      .catch((e: unknown) => e as Error);
    expect(String((error as Error).message)).toContain('guardrail_blocked');
    expect(String((error as Error).message)).toContain('400');
    expect(String((error as Error).message)).not.toContain('4111');
  });

  it('checks tool results in the prompt too', async () => {
    const error = await openAIClient(gateway, key)
      .chat.completions.create({
        model: 'chat',
        messages: [
          { role: 'user', content: 'look up my card' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: `card on file: ${CARD}` },
        ],
      })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('guardrail_blocked');
  });

  it('leaves keys the policy does not select alone', async () => {
    const answer = await openAIClient(gateway, other).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: `SAY:card ${CARD}, project falcon` }],
    });
    expect(answer.choices[0]?.message.content).toBe(`card ${CARD}, project falcon`);
  });

  it('replaces a whole answer that matches with the error', async () => {
    const error = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'SAY:all about Project Falcon.' }] })
      .catch((e: unknown) => e);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('guardrail_blocked');
    expect(apiError.message).toContain('the answer was blocked by GuardrailPolicy default/pii, check words');
  });

  it('ends a stream with the front door’s error event, OpenAI and Anthropic', async () => {
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: 'SAY:fine words |about project |falcon here' }],
    });
    let text = '';
    const error = await (async () => {
      for await (const event of stream) text += event.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain('guardrail_blocked');
    expect(text.toLowerCase()).not.toContain('falcon');

    const anthropicStream = anthropicClient(gateway, key).messages.stream({
      model: 'chat',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'SAY:project |falcon' }],
    });
    const anthropicError = await anthropicStream.finalMessage().catch((e: unknown) => e);
    expect(String((anthropicError as Error).message)).toContain('guardrail_blocked');
  });

  it('logs and counts each decision by policy, check and action', async () => {
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_guardrail_decisions_total\{policy="default\/pii",check="cards",action="block",direction="input"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /switchyard_guardrail_decisions_total\{policy="default\/pii",check="words",action="block",direction="output"\} [1-9]/,
    );
    await eventually(async () => requestLines(gateway).length >= 8);
    const blocked = requestLines(gateway).filter((line) => Array.isArray(line.guardrails));
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked[0]?.guardrails).toEqual([{ policy: 'default/pii', check: 'cards', action: 'block', on: 'input' }]);
    expect(gateway.logs()).not.toContain('4111 1111');
  });
});
