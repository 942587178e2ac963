// The `:streamGenerateContent` framings: SSE with alt=sse, one JSON array without it.
import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { geminiFrontDoor } from '../../../src/frontdoors/gemini/gemini-front-door.js';
import { geminiStreamFraming } from '../../../src/wire/gemini/gemini-stream-framing.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';

const usage = { inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0 };
const events: UnifiedStreamEvent[] = [
  { type: 'response_start', id: 'r1', model: 'upstream', created: 1 },
  { type: 'text_delta', text: 'Hel' },
  { type: 'text_delta', text: 'lo' },
  { type: 'finish', finishReason: 'stop' },
  { type: 'usage', usage },
];

function streamed(query: string): { contentType: string; body: string } {
  const encoder = geminiFrontDoor.createStreamEncoder('public', { requestId: 'r', pathStream: true, query: new URLSearchParams(query) });
  return { contentType: encoder.contentType, body: events.map((e) => encoder.encode(e)).join('') + encoder.end() };
}

describe('Gemini front door: stream framing', () => {
  it.each([
    ['alt=sse', 'sse'],
    ['', 'json-array'],
    ['alt=json', 'json-array'],
  ])('%s -> %s', (query, framing) => {
    expect(geminiStreamFraming({ requestId: 'r', query: new URLSearchParams(query) })).toBe(framing);
  });

  it('no query at all is a JSON array', () => {
    expect(geminiStreamFraming({ requestId: 'r' })).toBe('json-array');
  });

  it('another alt is a 400 naming alt', () => {
    let caught: unknown;
    try {
      geminiStreamFraming({ requestId: 'r', query: new URLSearchParams('alt=proto') });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe('alt');
  });

  it('without alt the body is one JSON array of chunks, the last with STOP and usage', () => {
    const { contentType, body } = streamed('');
    expect(contentType).toBe('application/json; charset=UTF-8');
    const chunks = JSON.parse(body) as Array<Record<string, unknown>>;
    expect(chunks).toEqual([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }], modelVersion: 'public', responseId: 'r1' },
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP', index: 0 }],
        modelVersion: 'public',
        responseId: 'r1',
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
      },
    ]);
  });

  it('with alt=sse the same chunks are data events', () => {
    const sse = streamed('alt=sse');
    const array = JSON.parse(streamed('').body) as unknown[];
    expect(sse.contentType).toBe('text/event-stream');
    expect(sse.body).toBe(array.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join(''));
  });

  it("a failure mid-stream closes the array with Google's error as its last element", () => {
    const encoder = geminiFrontDoor.createStreamEncoder('public', { requestId: 'r', pathStream: true });
    const body =
      encoder.encode({ type: 'response_start', id: 'r1', model: 'u', created: 1 }) +
      encoder.encode({ type: 'text_delta', text: 'Hi' }) +
      encoder.error(new GatewayError('upstream_failed', 'upstream stream failed after it began', { code: 'upstream_stream_failed' }));
    const chunks = JSON.parse(body) as Array<Record<string, unknown>>;
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toMatchObject({ error: { code: 502, status: 'UNAVAILABLE', message: 'upstream stream failed after it began' } });
  });

  it('a failure before any chunk is still a well-formed array', () => {
    const encoder = geminiFrontDoor.createStreamEncoder('public', { requestId: 'r', pathStream: true });
    const body = encoder.error(new GatewayError('upstream_timeout', 'upstream timed out'));
    expect(JSON.parse(body)).toEqual([{ error: { code: 504, message: 'upstream timed out', status: 'DEADLINE_EXCEEDED' } }]);
  });
});
