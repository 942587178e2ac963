// The passthrough's byte scans (wire/openai-chat/openai-passthrough.ts): what they read and
// rewrite must be what a full parse would find, however the upstream splits its bytes.
import { describe, expect, it } from '@jest/globals';
import { PassthroughStreamRewriter, readPassthroughCompletion } from '../../../src/wire/openai-chat/index.js';

const completion = {
  id: 'chatcmpl-abc',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      // Strings holding what the scan looks for must not fool it.
      message: { role: 'assistant', content: 'the "model": "x", "usage": {"prompt_tokens": 99} \\" end', refusal: null },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 4 } },
  system_fingerprint: 'fp_9',
};

describe('readPassthroughCompletion', () => {
  it.each([
    ['compact', JSON.stringify(completion)],
    ['indented', JSON.stringify(completion, null, 2)],
  ])('reads usage and model and rewrites only the model (%s)', (_label, text) => {
    const read = readPassthroughCompletion(Buffer.from(text), 'public-name');
    expect(read?.usage).toEqual({ inputTokens: 12, cachedInputTokens: 4, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 0 });
    expect(read?.model).toBe('gpt-4o-2024-08-06');
    expect(JSON.parse(read?.body.toString('utf8') ?? '')).toEqual({ ...completion, model: 'public-name' });
  });

  it('gives an id without the chatcmpl- prefix the prefix, as the normal path does', () => {
    const read = readPassthroughCompletion(Buffer.from(JSON.stringify({ ...completion, id: 'xyz-1' })), 'gpt-4o-2024-08-06');
    expect(JSON.parse(read?.body.toString('utf8') ?? '')).toMatchObject({ id: 'chatcmpl-xyz-1', model: 'gpt-4o-2024-08-06' });
  });

  it.each([
    ['no usage', { ...completion, usage: undefined }],
    ['no choices array', { ...completion, choices: {} }],
    ['an error object', { error: { message: 'boom' } }],
  ])('declines a body with %s (the normal decode then classifies it)', (_label, body) => {
    expect(readPassthroughCompletion(Buffer.from(JSON.stringify(body)), 'm')).toBeUndefined();
  });

  it('declines truncated and trailing-garbage bodies', () => {
    const text = JSON.stringify(completion);
    expect(readPassthroughCompletion(Buffer.from(text.slice(0, -5)), 'm')).toBeUndefined();
    expect(readPassthroughCompletion(Buffer.from(`${text}x`), 'm')).toBeUndefined();
  });
});

const chunk = (content: string | undefined, extra: Record<string, unknown> = {}): string =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-s',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'upstream-model',
    choices: content === undefined ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  })}\n\n`;
const sse =
  chunk('') +
  chunk('héllo "model":"upstream-model" data: ') +
  chunk('wörld') +
  chunk(undefined, { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }) +
  'data: [DONE]\n\n';

function run(rewriter: PassthroughStreamRewriter, bytes: Buffer, slice: number): string {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += slice) out.push(...rewriter.push(bytes.subarray(i, i + slice)));
  out.push(...rewriter.end());
  return Buffer.concat(out).toString('utf8');
}

function events(text: string): string[] {
  return text.split('\n\n').filter((e) => e !== '');
}

describe('PassthroughStreamRewriter', () => {
  it.each([1, 2, 3, 7, 64, 100_000])('forwards whole events with the public model, split every %i bytes', (slice) => {
    const rewriter = new PassthroughStreamRewriter('public', true);
    const text = run(rewriter, Buffer.from(sse), slice);
    const expected = sse
      .replaceAll('"model":"upstream-model"}', '"model":"public"}')
      .replaceAll('"model":"upstream-model","choices"', '"model":"public","choices"');
    expect(events(text)).toEqual(events(expected));
    // Only the envelope's model is rewritten: the same bytes inside the content (escaped there) are not.
    expect(text).toContain('héllo \\"model\\":\\"upstream-model\\" data: ');
    expect(rewriter.usage).toEqual({ inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0 });
    expect(rewriter.model).toBe('upstream-model');
  });

  it('leaves out the usage chunk the caller did not ask for, and still reads it', () => {
    const rewriter = new PassthroughStreamRewriter('upstream-model', false);
    const text = run(rewriter, Buffer.from(sse), 5);
    expect(text).not.toContain('"usage"');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(rewriter.usage?.inputTokens).toBe(5);
  });

  it('writes the upstream buffer itself when nothing needs rewriting', () => {
    const rewriter = new PassthroughStreamRewriter('upstream-model', true);
    const bytes = Buffer.from(sse);
    const out = rewriter.push(bytes);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(bytes);
  });

  it('learns the model from the first event, not from comments before it', () => {
    const rewriter = new PassthroughStreamRewriter('public', true);
    expect(Buffer.concat(rewriter.push(Buffer.from(': PROCESSING\n\n'))).toString()).toBe(': PROCESSING\n\n');
    expect(rewriter.sawEvent).toBe(false);
    const text = Buffer.concat(rewriter.push(Buffer.from(sse))).toString();
    expect(rewriter.sawEvent).toBe(true);
    expect(text).not.toContain('"model":"upstream-model"');
  });

  it('knows a stream is complete from a finish reason or [DONE], and not before', () => {
    const cut = new PassthroughStreamRewriter('public', true);
    cut.push(Buffer.from(chunk('') + chunk('partial, data: [DONE] as text')));
    expect(cut.completed).toBe(false);
    const finished = new PassthroughStreamRewriter('public', true);
    finished.push(
      Buffer.from(`${chunk('')}data: {"id":"c","model":"upstream-model","choices":[{"index":0,"delta":{},"finish_reason": "stop"}]}\n\n`),
    );
    expect(finished.completed).toBe(true);
    const done = new PassthroughStreamRewriter('public', true);
    done.push(Buffer.from(`${chunk('')}data: [DONE]\n\n`));
    expect(done.completed).toBe(true);
  });

  it('reads the usage of an event that also carries text with "data:" in it', () => {
    const rewriter = new PassthroughStreamRewriter('public', true);
    rewriter.push(Buffer.from(chunk('') + chunk('x data: y', { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })));
    expect(rewriter.usage?.inputTokens).toBe(3);
  });

  it('takes CRLF framing', () => {
    const rewriter = new PassthroughStreamRewriter('public', true);
    const text = run(rewriter, Buffer.from(sse.replaceAll('\n\n', '\r\n\r\n')), 3);
    expect(text.split('\r\n\r\n').filter((e) => e !== '')).toHaveLength(5);
    expect(text).not.toContain('"model":"upstream-model"');
  });

  it('reports a batch that may hold an error object, and not one that does not', () => {
    const rewriter = new PassthroughStreamRewriter('public', true);
    rewriter.push(Buffer.from(`${chunk('a')}data: {"error":{"message":"overloaded","type":"server_error"}}\n\n`));
    expect(rewriter.batchMayHoldError).toBe(true);
    const clean = new PassthroughStreamRewriter('public', true);
    clean.push(Buffer.from(chunk('the "error" word')));
    expect(clean.batchMayHoldError).toBe(false);
  });

  it('refuses an event that never ends beyond the SSE event limit', () => {
    const rewriter = new PassthroughStreamRewriter('public', true);
    const big = Buffer.alloc(1024 * 1024, 0x61);
    expect(() => {
      for (let i = 0; i < 64; i++) rewriter.push(big);
    }).toThrow(/limit on one event/);
  });
});
