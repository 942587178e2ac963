// action: redact: matches in the prompt are replaced by placeholders before it goes upstream,
// one per distinct value for the whole request ([EMAIL_1] twice for the same address), in message
// text, tool-call arguments (still valid JSON) and tool results; matches in the answer are
// replaced with the same numbering, whole answers and streams alike.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../support/gateway-process.js';
import {
  anthropicClient,
  lastUserContent,
  openAIClient,
  policyObject,
  type ScriptedUpstream,
  startGuardrailGateway,
  testKey,
} from './guardrail-fixtures.js';

const key = testKey('grredact');

describe('guardrail redact', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'pay', key, labels: { team: 'payments' } }],
      [
        policyObject('pii', { team: 'payments' }, [
          { name: 'emails', type: 'pii', entities: ['email'], on: 'both', action: 'redact' },
          { name: 'corp', type: 'regex', pattern: 'ACME-[0-9]{6}', on: 'both', action: 'redact' },
        ]),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('sends stable placeholders upstream', async () => {
    await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'system', content: 'support desk for ann@example.com' },
        { role: 'user', content: 'mail ann@example.com and bob@example.org about ACME-123456, then ann@example.com again' },
      ],
    });
    const body = upstream.bodies().at(-1) as { messages: Array<{ role: string; content: unknown }> };
    expect(JSON.stringify(body.messages[0]?.content)).toContain('support desk for [EMAIL_1]');
    expect(lastUserContent(body)).toBe('mail [EMAIL_1] and [EMAIL_2] about [CORP_1], then [EMAIL_1] again');
    expect(JSON.stringify(body)).not.toContain('@example');
  });

  it('redacts tool-call arguments (keeping them JSON) and tool results', async () => {
    await anthropicClient(gateway, key).messages.create({
      model: 'chat',
      max_tokens: 20,
      messages: [
        { role: 'user', content: 'who is it?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { email: 'cy@example.net' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'cy@example.net is Cy' }] },
      ],
    });
    const body = upstream.bodies().at(-1) as {
      messages: Array<{ role: string; content: unknown; tool_calls?: Array<{ function: { arguments: string } }> }>;
    };
    const call = body.messages.find((m) => m.tool_calls !== undefined)?.tool_calls?.[0];
    expect(JSON.parse(call?.function.arguments ?? 'null')).toEqual({ email: '[EMAIL_1]' });
    const tool = body.messages.find((m) => m.role === 'tool');
    expect(JSON.stringify(tool?.content)).toContain('[EMAIL_1] is Cy');
  });

  it('redacts a whole answer, numbering with the prompt', async () => {
    const answer = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'SAY:reach dee@example.com or ACME-000001' }],
    });
    // The prompt's own address became [EMAIL_1] upstream; the scripted upstream echoes the placeholder.
    expect(answer.choices[0]?.message.content).toBe('reach [EMAIL_1] or [CORP_1]');
  });

  it('redacts a streamed answer, a match split across chunks included', async () => {
    // The `|` keep the prompt itself free of matches; the upstream streams the pieces as chunks.
    const upstreamText = 'SAY:write to e|ve@exam|ple.com today, ref ACME-12|3456 ok';
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: upstreamText }],
    });
    let text = '';
    for await (const event of stream) text += event.choices[0]?.delta.content ?? '';
    expect(text).toBe('write to [EMAIL_1] today, ref [CORP_1] ok');
  });
});
