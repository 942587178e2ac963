// restore: true on a redact check: the upstream sees placeholders, the caller gets its own values
// back where the model echoes them, in whole answers and streams (a placeholder split across
// chunks included, held by the stream window until whole), through the OpenAI and Anthropic
// front doors. Placeholders of checks without restore, and of the answer's own redactions, stay.
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

const key = testKey('grrestore');

describe('guardrail redact with restore', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'pay', key, labels: { team: 'payments' } }],
      [
        policyObject(
          'pii',
          { team: 'payments' },
          [
            { name: 'emails', type: 'pii', entities: ['email'], on: 'both', action: 'redact', restore: true },
            { name: 'corp', type: 'regex', pattern: 'ACME-[0-9]{6}', on: 'input', action: 'redact' },
            // A value with a quote: restored into tool-call arguments, it must be JSON-escaped.
            { name: 'quote', type: 'regex', pattern: 'Q"[0-9]{3}', on: 'input', action: 'redact', restore: true },
          ],
          // The smallest window, shorter than a placeholder: restoring must still hold a split one whole.
          { streamHoldback: 8 },
        ),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('restores echoed placeholders in a whole OpenAI answer, not the unrestorable ones', async () => {
    const answer = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'SAY:mail ann@example.com about ACME-123456, and [EMAIL_9]; new: zed@example.org' }],
    });
    // The upstream never saw the prompt's values.
    expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe('SAY:mail [EMAIL_1] about [CORP_1], and [EMAIL_9]; new: [EMAIL_2]');
    // The upstream echoes the placeholders; the caller reads its own values, except the regex
    // check's (no restore) and a placeholder the gateway never issued.
    expect(answer.choices[0]?.message.content).toBe('mail ann@example.com about [CORP_1], and [EMAIL_9]; new: zed@example.org');
  });

  it('restores in a whole Anthropic answer', async () => {
    const answer = await anthropicClient(gateway, key).messages.create({
      model: 'chat',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'SAY:write to bo@example.net' }],
    });
    expect(answer.content[0]?.type === 'text' ? answer.content[0].text : '').toBe('write to bo@example.net');
  });

  it('restores a placeholder split across OpenAI stream chunks', async () => {
    // Upstream receives `SAY:[EMA|IL_1] and [EMAIL_1] ok` and streams `[EMA`, `IL_1] and [EMAIL_1] ok`:
    // the first placeholder arrives in two chunks, and the window (8) is shorter than the placeholder (9).
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: 'SAY:[EMA|IL_1] and cy@example.com ok' }],
    });
    let text = '';
    const pieces: string[] = [];
    for await (const event of stream) {
      const piece = event.choices[0]?.delta.content ?? '';
      if (piece !== '') pieces.push(piece);
      text += piece;
    }
    expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe('SAY:[EMA|IL_1] and [EMAIL_1] ok');
    expect(text).toBe('cy@example.com and cy@example.com ok');
    // No chunk carried part of a placeholder.
    expect(pieces.join('\n')).not.toMatch(/\[|\]/);
  });

  it('restores into streamed tool-call arguments, JSON-escaped', async () => {
    // Upstream receives `TOOL:{"to":"[EMA|IL_1]","ref":"[QUOTE_1]"} [EMAIL_1] [QUOTE_1]` and streams the pieces as argument deltas.
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: 'TOOL:{"to":"[EMA|IL_1]","ref":"[QUOTE_1]"} fay@example.com Q"123' }],
    });
    let args = '';
    for await (const event of stream) args += event.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(args).toBe('{"to":"fay@example.com","ref":"Q\\"123"} fay@example.com Q\\"123');
    expect(JSON.parse(args.slice(0, args.indexOf('}') + 1))).toEqual({ to: 'fay@example.com', ref: 'Q"123' });
  });

  it('restores in an Anthropic stream, chunk by chunk', async () => {
    const stream = anthropicClient(gateway, key).messages.stream({
      model: 'chat',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'SAY:to [EM|AIL_1]|, from [EMAIL_2|] bye dee@example.com and eve@example.com' }],
    });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('to dee@example.com, from eve@example.com bye dee@example.com and eve@example.com');
  });
});
