// The batch codecs, table-driven: the caller's input file (one model, unique ids, chat bodies),
// the multipart upload, Anthropic's message batch state and results as OpenAI's, and OpenAI
// output lines with the public model and their usage.
import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import {
  convertToAnthropicBatchRequest,
  decodeAnthropicBatch,
  decodeBatchCreateRequest,
  decodeBatchInputFile,
  parseMultipartForm,
  translateAnthropicBatchResults,
  translateOpenAIBatchOutput,
} from '../../../src/wire/openai-batch/index.js';

function line(customId: string, model: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: 'hi' }], ...extra },
  });
}

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('batch input file', () => {
  it('decodes every line, skipping blank ones', () => {
    const file = decodeBatchInputFile(`${line('a', 'm', { max_tokens: 7 })}\n\n${line('b', 'm')}\n`, 10);
    expect(file.model).toBe('m');
    expect(file.lines.map((l) => [l.customId, l.request.maxOutputTokens])).toEqual([
      ['a', 7],
      ['b', undefined],
    ]);
  });

  it.each([
    ['two models', `${line('a', 'm')}\n${line('b', 'n')}`, 'line 2: model `n` differs'],
    ['a repeated custom_id', `${line('a', 'm')}\n${line('a', 'm')}`, 'custom_id `a` is used twice'],
    ['another url', line('a', 'm').replace('/v1/chat/completions', '/v1/embeddings'), 'line 1: url must be /v1/chat/completions'],
    ['a streamed line', line('a', 'm', { stream: true }), 'cannot stream'],
    ['a bad chat body', line('a', 'm', { messages: 'x' }), 'line 1:'],
    ['not JSON', '{', 'line 1 is not valid JSON'],
    ['no lines', '\n', 'no requests'],
  ])('refuses %s, naming the line', (_name, text, message) => {
    const error = refusal(() => decodeBatchInputFile(text, 10));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });

  it('refuses more lines than the limit with a 413 naming it', () => {
    const error = refusal(() => decodeBatchInputFile([line('a', 'm'), line('b', 'm'), line('c', 'm')].join('\n'), 2));
    expect(error.status).toBe(413);
    expect(error.message).toContain('more than 2 requests');
  });
});

describe('batch create body', () => {
  it('takes the input file and metadata, and refuses another endpoint or window', () => {
    expect(
      decodeBatchCreateRequest({ input_file_id: 'f', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { a: 'b' } }),
    ).toEqual({
      inputFileId: 'f',
      metadata: { a: 'b' },
    });
    expect(
      refusal(() => decodeBatchCreateRequest({ input_file_id: 'f', endpoint: '/v1/embeddings', completion_window: '24h' })).message,
    ).toContain('endpoint');
    expect(
      refusal(() => decodeBatchCreateRequest({ input_file_id: 'f', endpoint: '/v1/chat/completions', completion_window: '1h' })).message,
    ).toContain('completion_window');
  });
});

describe('multipart upload', () => {
  it('reads the fields and the file part, bytes intact', () => {
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'),
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="in.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n'),
      Buffer.from('line one\r\nline two'),
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const form = parseMultipartForm(body, 'multipart/form-data; boundary=XyZ');
    expect(form.fields.get('purpose')).toBe('batch');
    expect(form.files.get('file')?.filename).toBe('in.jsonl');
    expect(form.files.get('file')?.data.toString()).toBe('line one\r\nline two');
  });

  it('refuses a body that is not multipart', () => {
    expect(refusal(() => parseMultipartForm(Buffer.from('{}'), 'application/json')).status).toBe(400);
    expect(
      refusal(() =>
        parseMultipartForm(
          Buffer.from('--a\r\nContent-Disposition: form-data; name="x"\r\n\r\nunterminated'),
          'multipart/form-data; boundary=a',
        ),
      ).status,
    ).toBe(400);
  });
});

describe('Anthropic Message Batches', () => {
  it('sends each line as {custom_id, params} through the chat translation', () => {
    const file = decodeBatchInputFile(
      `${line('a', 'pub', {
        max_tokens: 9,
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hi' },
        ],
      })}\n${line('b', 'pub')}`,
      10,
    );
    const request = JSON.parse(convertToAnthropicBatchRequest(file, { model: 'claude-x', defaultMaxTokens: 256 })) as {
      requests: Array<{ custom_id: string; params: Record<string, unknown> }>;
    };
    expect(request.requests[0]).toMatchObject({
      custom_id: 'a',
      params: { model: 'claude-x', max_tokens: 9, system: [{ type: 'text', text: 'be brief' }] },
    });
    expect(request.requests[1]?.params).toMatchObject({ max_tokens: 256, messages: [{ role: 'user' }] });
    expect(request.requests[1]?.params.stream).toBeUndefined();
  });

  it.each([
    ['in_progress', {}, 'in_progress'],
    ['canceling', {}, 'cancelling'],
    ['ended', { succeeded: 2 }, 'completed'],
    ['ended', { expired: 2 }, 'expired'],
  ])('maps processing_status %s (%j) to %s', (processing, counts, status) => {
    const state = decodeAnthropicBatch({
      id: 'msgbatch_1',
      processing_status: processing,
      request_counts: { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0, ...counts },
      created_at: '2026-01-01T00:00:00Z',
    });
    expect(state.status).toBe(status);
  });

  it('maps a cancelled batch and counts every failure kind as failed', () => {
    const state = decodeAnthropicBatch({
      id: 'msgbatch_1',
      processing_status: 'ended',
      cancel_initiated_at: '2026-01-01T00:00:00Z',
      request_counts: { processing: 0, succeeded: 1, errored: 1, canceled: 1, expired: 1 },
    });
    expect(state).toMatchObject({ status: 'cancelled', counts: { total: 4, completed: 1, failed: 3 }, hasResults: true });
  });

  it('turns results into OpenAI output lines with their usage', () => {
    const results = [
      JSON.stringify({
        custom_id: 'a',
        result: {
          type: 'succeeded',
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-x',
            content: [{ type: 'text', text: 'hello' }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 12, output_tokens: 3 },
          },
        },
      }),
      JSON.stringify({
        custom_id: 'b',
        result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'too long' } } },
      }),
      JSON.stringify({ custom_id: 'c', result: { type: 'expired' } }),
    ].join('\n');
    const translated = translateAnthropicBatchResults(results, 'pub', 'batch_syX', 0);
    const lines = translated.jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      custom_id: 'a',
      error: null,
      response: { status_code: 200, body: { object: 'chat.completion', model: 'pub', choices: [{ message: { content: 'hello' } }] } },
    });
    expect(lines[1]).toMatchObject({ custom_id: 'b', response: null, error: { code: 'invalid_request_error', message: 'too long' } });
    expect(lines[2]).toMatchObject({ custom_id: 'c', response: null, error: { code: 'expired' } });
    expect(translated.usage).toMatchObject({ inputTokens: 12, outputTokens: 3 });
    expect(translated.answered).toBe(1);
  });
});

describe('OpenAI output lines', () => {
  it('names the public model again and adds up the usage', () => {
    const body = {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-upstream',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 },
    };
    const text = [
      JSON.stringify({ id: 'r1', custom_id: 'a', response: { status_code: 200, request_id: 'q', body }, error: null }),
      JSON.stringify({ id: 'r2', custom_id: 'b', response: { status_code: 200, request_id: 'q', body }, error: null }),
      JSON.stringify({ id: 'r3', custom_id: 'c', response: null, error: { code: 'x', message: 'y' } }),
    ].join('\n');
    const translated = translateOpenAIBatchOutput(text, 'pub');
    expect(translated.usage).toMatchObject({ inputTokens: 8, outputTokens: 4 });
    expect(translated.jsonl).not.toContain('gpt-upstream');
    expect(translated.jsonl.trim().split('\n')).toHaveLength(3);
  });
});
