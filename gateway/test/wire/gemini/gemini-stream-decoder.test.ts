import { describe, expect, it } from '@jest/globals';
import { GeminiSseStreamDecoder } from '../../../src/wire/gemini/gemini-stream-decoder.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { geminiCaptureSseBytes, loadGeminiCaptureChunks } from '../../mocks/gemini-mock-server.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const CREATED = Math.floor(NOW / 1000);
const encoder = new TextEncoder();

type Split = 'whole' | 'byte by byte' | 'odd slices';

function decode(sse: string, split: Split = 'whole'): UnifiedStreamEvent[] {
  const decoder = new GeminiSseStreamDecoder('fallback-model', () => NOW);
  const bytes = encoder.encode(sse);
  const events: UnifiedStreamEvent[] = [];
  if (split === 'whole') events.push(...decoder.push(bytes));
  else {
    const size = split === 'byte by byte' ? 1 : 7;
    for (let i = 0; i < bytes.length; i += size) events.push(...decoder.push(bytes.subarray(i, i + size)));
  }
  events.push(...decoder.end());
  return events;
}

function frames(chunks: unknown[]): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join('');
}

function signatureOfChunk(name: string, chunkIndex: number): string {
  const chunk = loadGeminiCaptureChunks(name)[chunkIndex] as {
    candidates: Array<{ content: { parts: Array<{ thoughtSignature: string }> } }>;
  };
  return chunk.candidates[0]!.content.parts[0]!.thoughtSignature;
}

const captures: Array<{ name: string; expected: () => UnifiedStreamEvent[] }> = [
  {
    name: 'google-text',
    expected: () => [
      { type: 'response_start', id: 'bH6LaZW8Fp_3nsEPqtaSwQ4', model: 'gemini-3-pro-preview', created: CREATED },
      { type: 'text_delta', text: 'There are **3**' },
      { type: 'text_delta', text: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' },
      { type: 'reasoning_signature', signature: signatureOfChunk('google-text', 2) },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 208, reasoningTokens: 185 } },
    ],
  },
  {
    name: 'google-reasoning',
    expected: () => [
      { type: 'response_start', id: 'dX6LadKVC7SZ28oPr9yJoQs', model: 'gemini-3-pro-preview', created: CREATED },
      { type: 'text_delta', text: 'There are **3** "r"s in' },
      { type: 'text_delta', text: ' strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.' },
      { type: 'reasoning_signature', signature: signatureOfChunk('google-reasoning', 2) },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 285, reasoningTokens: 256 } },
    ],
  },
  {
    name: 'google-tool-call',
    expected: () => [
      { type: 'response_start', id: 'b36LacjwM668nsEP2tbsgQQ', model: 'gemini-3-pro-preview', created: CREATED },
      { type: 'reasoning_signature', signature: signatureOfChunk('google-tool-call', 0) },
      { type: 'tool_call_start', index: 0, id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"location":"San Francisco"}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 29, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 60, reasoningTokens: 45 } },
    ],
  },
  {
    name: 'google-stream-tool-call-arguments',
    expected: () => [
      {
        type: 'response_start',
        id: 'dqHOab6xGLzWodAPkPuViA4',
        model: 'gemini-3.1-pro-preview',
        created: Math.floor(Date.UTC(2026, 3, 2, 17, 3, 50) / 1000),
      },
      { type: 'reasoning_signature', signature: signatureOfChunk('google-stream-tool-call-arguments', 0) },
      { type: 'tool_call_start', index: 0, id: 'call_dqHOab6xGLzWodAPkPuViA4_0', name: 'getWeather' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"location":"Boston"}' },
      { type: 'tool_call_start', index: 1, id: 'call_dqHOab6xGLzWodAPkPuViA4_1', name: 'getWeather' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{"location":"San Francisco"}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 26, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 155, reasoningTokens: 132 } },
    ],
  },
];

describe('GeminiSseStreamDecoder: every capture', () => {
  const table = captures.flatMap((c) => (['whole', 'byte by byte', 'odd slices'] as Split[]).map((split) => ({ ...c, split })));
  it.each(table)('$name.chunks.txt fed $split', ({ name, split, expected }) => {
    expect(decode(geminiCaptureSseBytes(name), split)).toEqual(expected());
  });

  it('accepts LF-only framing too', () => {
    const lf = geminiCaptureSseBytes('google-text').replace(/\r\n/g, '\n');
    expect(decode(lf)).toEqual(captures[0]!.expected());
  });
});

describe('GeminiSseStreamDecoder: stream shapes', () => {
  const usage = { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 };

  it('thought parts stream as reasoning deltas, then answer text', () => {
    const events = decode(
      frames([
        { responseId: 'r', candidates: [{ content: { role: 'model', parts: [{ text: 'Counting letters', thought: true }] } }] },
        { responseId: 'r', candidates: [{ content: { role: 'model', parts: [{ text: '...', thought: true, thoughtSignature: 'TS' }] } }] },
        {
          responseId: 'r',
          candidates: [{ content: { role: 'model', parts: [{ text: 'Three.' }] }, finishReason: 'STOP' }],
          usageMetadata: { ...usage, thoughtsTokenCount: 10 },
        },
      ]),
    );
    expect(events.slice(1)).toEqual([
      { type: 'reasoning_delta', text: 'Counting letters' },
      { type: 'reasoning_delta', text: '...' },
      { type: 'reasoning_signature', signature: 'TS' },
      { type: 'text_delta', text: 'Three.' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 13, reasoningTokens: 10 } },
    ]);
  });

  it('a blocked prompt finishes with content_filter and no content', () => {
    const events = decode(
      frames([
        {
          promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
          usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
          responseId: 'b',
        },
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['response_start', 'finish', 'usage']);
    expect(events[1]).toEqual({ type: 'finish', finishReason: 'content_filter' });
  });

  it('a SAFETY stop mid-answer is content_filter', () => {
    const events = decode(
      frames([
        { candidates: [{ content: { parts: [{ text: 'Sure, here' }] } }] },
        { candidates: [{ finishReason: 'SAFETY' }], usageMetadata: usage },
      ]),
    );
    expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', finishReason: 'content_filter' }]);
  });

  it('the last usage with counts wins, even from a chunk after the finish', () => {
    const events = decode(
      frames([
        { candidates: [{ content: { parts: [{ text: 'a' }] }, finishReason: 'STOP' }], usageMetadata: usage },
        { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 } },
        { usageMetadata: { trafficType: 'ON_DEMAND' } },
      ]),
    );
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 4, reasoningTokens: 0 },
    });
  });

  it('assembles streamed arguments with nested paths, numbers, booleans, nulls and out-of-order keys', () => {
    const events = decode(
      frames([
        { candidates: [{ content: { parts: [{ functionCall: { name: 'plan', willContinue: true } }] } }] },
        {
          candidates: [
            {
              content: {
                parts: [
                  {
                    functionCall: {
                      partialArgs: [{ jsonPath: '$.trip.stops[0].city', stringValue: 'Par', willContinue: true }],
                      willContinue: true,
                    },
                  },
                ],
              },
            },
          ],
        },
        {
          candidates: [
            { content: { parts: [{ functionCall: { partialArgs: [{ jsonPath: '$.days', numberValue: 3 }], willContinue: true } }] } },
          ],
        },
        {
          candidates: [
            {
              content: {
                parts: [{ functionCall: { partialArgs: [{ jsonPath: '$.trip.stops[0].city', stringValue: 'is' }], willContinue: true } }],
              },
            },
          ],
        },
        {
          candidates: [
            {
              content: {
                parts: [
                  {
                    functionCall: {
                      partialArgs: [
                        { jsonPath: "$['trip'].stops[1]['city']", stringValue: 'Rome' },
                        { jsonPath: '$.refundable', boolValue: false },
                        { jsonPath: '$.note', nullValue: 'NULL_VALUE' },
                      ],
                    },
                  },
                ],
              },
              finishReason: 'STOP',
            },
          ],
          usageMetadata: usage,
        },
      ]),
    );
    const delta = events.find((e) => e.type === 'tool_call_delta');
    expect(delta).toBeDefined();
    expect(JSON.parse((delta as { argumentsDelta: string }).argumentsDelta)).toEqual({
      trip: { stops: [{ city: 'Paris' }, { city: 'Rome' }] },
      days: 3,
      refundable: false,
      note: null,
    });
    expect(events.find((e) => e.type === 'finish')).toEqual({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('a streamed path cannot write to Object.prototype', () => {
    const events = decode(
      frames([
        { candidates: [{ content: { parts: [{ functionCall: { name: 'f', willContinue: true } }] } }] },
        {
          candidates: [
            {
              content: { parts: [{ functionCall: { partialArgs: [{ jsonPath: '$.__proto__.polluted', stringValue: 'yes' }] } }] },
              finishReason: 'STOP',
            },
          ],
        },
      ]),
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const delta = events.find((e) => e.type === 'tool_call_delta') as { argumentsDelta: string };
    expect(delta.argumentsDelta).toBe('{"__proto__":{"polluted":"yes"}}');
  });

  it('an open streamed call is closed by the finish chunk', () => {
    const events = decode(
      frames([
        {
          candidates: [
            {
              content: {
                parts: [{ functionCall: { name: 'f', willContinue: true, partialArgs: [{ jsonPath: '$.q', stringValue: 'x' }] } }],
              },
            },
          ],
        },
        { candidates: [{ finishReason: 'STOP' }], usageMetadata: usage },
      ]),
    );
    expect(events.filter((e) => e.type.startsWith('tool_call'))).toEqual([
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(/^call_.+_0$/), name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"q":"x"}' },
    ]);
  });

  const broken: Array<{ name: string; sse: () => string; message: RegExp }> = [
    {
      name: 'cut after some chunks, before any finishReason',
      sse: () => frames(loadGeminiCaptureChunks('google-text').slice(0, 2)),
      message: /ended before any chunk carried a finishReason/,
    },
    {
      name: 'cut in the middle of an event',
      sse: () => {
        const full = geminiCaptureSseBytes('google-tool-call');
        return full.slice(0, full.length - 60);
      },
      message: /not JSON/,
    },
    { name: 'empty', sse: () => '', message: /without sending any chunk/ },
    {
      name: 'an unreadable partial-args path',
      sse: () =>
        frames([
          {
            candidates: [
              {
                content: {
                  parts: [{ functionCall: { name: 'f', willContinue: true, partialArgs: [{ jsonPath: 'location', stringValue: 'x' }] } }],
                },
              },
            ],
          },
        ]),
      message: /unusable function-call argument/,
    },
  ];

  it.each(broken)('a stream that is $name fails with StreamBroken', ({ sse, message }) => {
    let thrown: unknown;
    try {
      decode(sse());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpstreamFailure);
    expect((thrown as UpstreamFailure).kind).toBe('StreamBroken');
    expect((thrown as UpstreamFailure).message).toMatch(message);
  });

  it('an error object inside the stream is thrown classified by its Google status', () => {
    const decoder = new GeminiSseStreamDecoder('m', () => NOW);
    decoder.push(encoder.encode(frames([{ candidates: [{ content: { parts: [{ text: 'partial' }] } }] }])));
    let thrown: unknown;
    try {
      decoder.push(encoder.encode(frames([{ error: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded.' } }])));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpstreamFailure);
    expect((thrown as UpstreamFailure).kind).toBe('ServerError');
    expect((thrown as UpstreamFailure).message).toBe('The model is overloaded.');
  });
});
