// Streams keep a bounded hold-back window: a match split across chunks never reaches the caller
// in part, and clean text older than the window is released at once, before the upstream has
// finished (here: while the upstream is still paused after its first chunk).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../support/gateway-process.js';
import {
  anthropicClient,
  openAIClient,
  policyObject,
  type ScriptedUpstream,
  startGuardrailGateway,
  testKey,
} from './guardrail-fixtures.js';

const key = testKey('grwindow');

describe('guardrail stream window', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'pay', key, labels: { team: 'payments' } }],
      [
        policyObject(
          'pii',
          { team: 'payments' },
          [{ name: 'cards', type: 'pii', entities: ['credit_card'], on: 'output', action: 'redact' }],
          {
            streamHoldback: 32,
          },
        ),
      ],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('never shows part of a card number split over four chunks', async () => {
    const stream = anthropicClient(gateway, key).messages.stream({
      model: 'chat',
      max_tokens: 100,
      // 40 clean characters first, so text is released while the card is still arriving.
      messages: [{ role: 'user', content: `SAY:${'y'.repeat(40)} card 41|11 1111 1|111 11|11 on file, and more text after it` }],
    });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    const expected = `${'y'.repeat(40)} card [CREDIT_CARD_1] on file, and more text after it`;
    expect(deltas.join('')).toBe(expected);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.some((d) => /\d/.test(d.replace(/\[CREDIT_CARD_1\]/g, '')))).toBe(false);
    expect(message.content[0]?.type === 'text' ? message.content[0].text : '').toBe(expected);
  });

  it('holds back a streamed tool call’s arguments the same way', async () => {
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: 'TOOL:{"note":"pay with 4111 1|111 1111 |1111 today"}' }],
    });
    const pieces: string[] = [];
    for await (const event of stream) {
      const piece = event.choices[0]?.delta.tool_calls?.[0]?.function?.arguments;
      if (piece) pieces.push(piece);
    }
    expect(JSON.parse(pieces.join(''))).toEqual({ note: 'pay with [CREDIT_CARD_1] today' });
    expect(pieces.some((p) => /\d/.test(p.replace(/\[CREDIT_CARD_1\]/g, '')))).toBe(false);
  });

  it('releases clean text beyond the window while the upstream is still writing', async () => {
    const clean = 'x'.repeat(100);
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [{ role: 'user', content: `SLOW:${clean}|tail` }],
    });
    let text = '';
    let releasedBeforeFirstText: boolean | undefined;
    for await (const event of stream) {
      const delta = event.choices[0]?.delta.content ?? '';
      if (delta.length > 0 && releasedBeforeFirstText === undefined) {
        releasedBeforeFirstText = upstream.releasedAt() !== undefined;
        upstream.release();
      }
      text += delta;
    }
    expect(releasedBeforeFirstText).toBe(false);
    expect(text).toBe(`${clean}tail`);
  });
});
