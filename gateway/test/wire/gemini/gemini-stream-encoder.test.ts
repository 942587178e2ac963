import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { GeminiStreamEncoder } from '../../../src/wire/gemini/gemini-stream-encoder.js';
import { GeminiSseStreamDecoder } from '../../../src/wire/gemini/gemini-stream-decoder.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { geminiCaptureSseBytes } from '../../mocks/gemini-mock-server.js';
import { wireFixturePath } from '../../support/repo-paths.js';

const usage = { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 12, reasoningTokens: 4 };

function encodeAll(events: UnifiedStreamEvent[], model = 'public-model'): string {
  const encoder = new GeminiStreamEncoder(model);
  return events.map((e) => encoder.encode(e)).join('') + encoder.end();
}

function parseFrames(sse: string): unknown[] {
  expect(sse.endsWith('\r\n\r\n')).toBe(true);
  return sse
    .split('\r\n\r\n')
    .filter((f) => f !== '')
    .map((f) => {
      expect(f.startsWith('data: ')).toBe(true);
      return JSON.parse(f.slice('data: '.length));
    });
}

function decodeAll(sse: string): UnifiedStreamEvent[] {
  const decoder = new GeminiSseStreamDecoder('m', () => 0);
  return [...decoder.push(new TextEncoder().encode(sse)), ...decoder.end()];
}

describe('GeminiStreamEncoder', () => {
  it('writes finishReason + usage on the chunk with the last text, never on an empty text part', () => {
    const frames = parseFrames(
      encodeAll([
        { type: 'response_start', id: 'r1', model: 'up', created: 1 },
        { type: 'reasoning_delta', text: 'hmm' },
        { type: 'text_delta', text: 'Hel' },
        { type: 'text_delta', text: 'lo' },
        { type: 'finish', finishReason: 'stop' },
        { type: 'usage', usage },
      ]),
    );
    expect(frames).toEqual([
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'hmm', thought: true }] }, index: 0 }],
        modelVersion: 'public-model',
        responseId: 'r1',
      },
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }], modelVersion: 'public-model', responseId: 'r1' },
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP', index: 0 }],
        modelVersion: 'public-model',
        responseId: 'r1',
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 8, thoughtsTokenCount: 4, totalTokenCount: 21 },
      },
    ]);
  });

  it('matches the front-door text stream fixture: the finish and usage ride on the last text chunk', () => {
    const expected = readFileSync(wireFixturePath('gemini', 'front-door-text-stream.chunks.txt'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);
    const frames = parseFrames(
      encodeAll(
        [
          { type: 'response_start', id: 'resp-fixture', model: 'upstream', created: 1 },
          { type: 'text_delta', text: 'The sky' },
          { type: 'text_delta', text: ' is blue.' },
          { type: 'finish', finishReason: 'stop' },
          { type: 'usage', usage: { inputTokens: 7, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 4, reasoningTokens: 0 } },
        ],
        'gemini-fixture',
      ),
    );
    expect(frames).toEqual(expected);
  });

  it('writes each text chunk when the next event arrives, the last one at the end', () => {
    const encoder = new GeminiStreamEncoder('m');
    expect(encoder.encode({ type: 'text_delta', text: 'a' })).toBe('');
    expect(parseFrames(encoder.encode({ type: 'text_delta', text: 'b' }))).toEqual([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] }, index: 0 }], modelVersion: 'm' },
    ]);
    expect(encoder.encode({ type: 'finish', finishReason: 'length' })).toBe('');
    expect(parseFrames(encoder.end())).toEqual([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'b' }] }, finishReason: 'MAX_TOKENS', index: 0 }], modelVersion: 'm' },
    ]);
  });

  it('a held text chunk goes out before a thought, a tool call or an error that follows it', () => {
    const encoder = new GeminiStreamEncoder('m');
    encoder.encode({ type: 'text_delta', text: 'a' });
    expect(parseFrames(encoder.encode({ type: 'reasoning_delta', text: 't' }))).toEqual([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] }, index: 0 }], modelVersion: 'm' },
      { candidates: [{ content: { role: 'model', parts: [{ text: 't', thought: true }] }, index: 0 }], modelVersion: 'm' },
    ]);
    encoder.encode({ type: 'text_delta', text: 'b' });
    expect(parseFrames(encoder.encode({ type: 'tool_call_start', index: 0, id: 'c', name: 'f' }))).toHaveLength(1);
    encoder.encode({ type: 'tool_call_delta', index: 0, argumentsDelta: '{}' });
    encoder.encode({ type: 'text_delta', text: 'c' });
    const failed = parseFrames(encoder.error(new GatewayError('upstream_failed', 'gone')));
    expect(failed.at(-2)).toEqual({ candidates: [{ content: { role: 'model', parts: [{ text: 'c' }] }, index: 0 }], modelVersion: 'm' });
    expect(failed.at(-1)).toMatchObject({ error: { code: 502 } });
  });

  it('a signature after the text ends on an empty text part carrying it, as Gemini sends it; a thought ends without content', () => {
    const signed = parseFrames(
      encodeAll([
        { type: 'text_delta', text: 'a' },
        { type: 'reasoning_signature', signature: 'SIG' },
        { type: 'finish', finishReason: 'stop' },
      ]),
    );
    expect(signed.at(-1)).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ text: '', thoughtSignature: 'SIG' }] }, finishReason: 'STOP', index: 0 }],
      modelVersion: 'public-model',
    });
    const thought = parseFrames(
      encodeAll([
        { type: 'reasoning_delta', text: 't' },
        { type: 'finish', finishReason: 'length' },
      ]),
    );
    expect(thought.at(-1)).toEqual({ candidates: [{ finishReason: 'MAX_TOKENS', index: 0 }], modelVersion: 'public-model' });
  });

  it('sends tool calls whole, once their arguments are complete, with the pending signature', () => {
    const frames = parseFrames(
      encodeAll([
        { type: 'response_start', id: 'r2', model: 'up', created: 1 },
        { type: 'reasoning_signature', signature: 'SIG' },
        { type: 'tool_call_start', index: 0, id: 'call_a', name: 'weather' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
        { type: 'tool_call_start', index: 1, id: 'call_b', name: 'time' },
        { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
        { type: 'finish', finishReason: 'tool_calls' },
        { type: 'usage', usage },
      ]),
    );
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { id: 'call_a', name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG' },
              { functionCall: { id: 'call_b', name: 'time', args: {} } },
            ],
          },
          finishReason: 'STOP',
        },
      ],
    });
  });

  it('a content filter ends without content', () => {
    const frames = parseFrames(
      encodeAll([
        { type: 'response_start', id: 'r3', model: 'up', created: 1 },
        { type: 'finish', finishReason: 'content_filter' },
      ]),
    );
    expect(frames).toEqual([{ candidates: [{ finishReason: 'SAFETY', index: 0 }], modelVersion: 'public-model', responseId: 'r3' }]);
  });

  it('error() writes Google error JSON as a data event', () => {
    const encoder = new GeminiStreamEncoder('m');
    const frames = parseFrames(encoder.error(new GatewayError('upstream_failed', 'every upstream failed')));
    expect(frames).toEqual([{ error: { code: 502, message: 'every upstream failed', status: 'UNAVAILABLE' } }]);
  });

  it.each(['google-text', 'google-reasoning', 'google-tool-call', 'google-stream-tool-call-arguments'])(
    'capture %s: decode -> encode -> decode gives the same events',
    (name) => {
      const events = decodeAll(geminiCaptureSseBytes(name));
      const reencoded = encodeAll(events, (events[0] as { model: string }).model);
      // `created` comes from Vertex's createTime, which the Gemini API does not have.
      const withoutCreated = (list: UnifiedStreamEvent[]) => list.map((e) => (e.type === 'response_start' ? { ...e, created: 0 } : e));
      expect(withoutCreated(decodeAll(reencoded))).toEqual(withoutCreated(events));
    },
  );
});
