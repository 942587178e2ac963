import { describe, expect, it } from '@jest/globals';
import { decodeOpenAIError } from '../../../src/wire/openai-chat/decode-openai-error.js';
import type { UpstreamHeaders } from '../../../src/unified/provider-codec.js';

const openAIBody = (type: string, code: string | null, message = 'msg', param: string | null = null): string =>
  JSON.stringify({ error: { message, type, code, param } });

describe('OpenAI-format upstream errors -> UpstreamFailure', () => {
  const cases: Array<[string, number, UpstreamHeaders, string, { kind: string; retryAfterMs?: number; param?: string; message: RegExp }]> =
    [
      [
        '400 invalid request, param kept',
        400,
        {},
        openAIBody('invalid_request_error', null, "Invalid value for 'temperature'", 'temperature'),
        { kind: 'BadRequest', param: 'temperature', message: /Invalid value for 'temperature'/ },
      ],
      [
        '400 context length',
        400,
        {},
        openAIBody('invalid_request_error', 'context_length_exceeded'),
        { kind: 'BadRequest', message: /context_length_exceeded/ },
      ],
      [
        '401 bad key',
        401,
        {},
        openAIBody('invalid_request_error', 'invalid_api_key', 'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx'),
        { kind: 'AuthError', message: /Incorrect API key/ },
      ],
      ['403', 403, {}, openAIBody('permission_error', null), { kind: 'AuthError', message: /msg/ }],
      [
        '404 unknown model',
        404,
        {},
        openAIBody('invalid_request_error', 'model_not_found', 'The model `gpt-9` does not exist'),
        { kind: 'NotFound', message: /gpt-9/ },
      ],
      [
        '429 rate limit with retry-after seconds',
        429,
        { 'retry-after': '3' },
        openAIBody('requests', 'rate_limit_exceeded'),
        { kind: 'RateLimited', retryAfterMs: 3000, message: /rate_limit_exceeded/ },
      ],
      [
        '429 rate limit with retry-after-ms',
        429,
        { 'retry-after-ms': '250', 'retry-after': '1' },
        openAIBody('tokens', 'rate_limit_exceeded'),
        { kind: 'RateLimited', retryAfterMs: 250, message: /msg/ },
      ],
      [
        '429 insufficient quota is not a rate limit',
        429,
        { 'retry-after': '1' },
        openAIBody('insufficient_quota', 'insufficient_quota', 'You exceeded your current quota'),
        { kind: 'AuthError', message: /quota/ },
      ],
      [
        '500',
        500,
        {},
        openAIBody('server_error', null, 'The server had an error'),
        { kind: 'ServerError', message: /server had an error/ },
      ],
      [
        '503 plain text from a proxy',
        503,
        {},
        'upstream connect error or disconnect/reset before headers',
        { kind: 'ServerError', message: /upstream connect error/ },
      ],
      [
        'Mistral 422 with a detail list',
        422,
        {},
        JSON.stringify({
          object: 'error',
          message: { detail: [{ type: 'extra_forbidden', loc: ['body', 'foo'], msg: 'Extra inputs are not permitted' }] },
          type: 'invalid_request_message_error',
          param: null,
          code: null,
        }),
        { kind: 'BadRequest', message: /body\.foo: Extra inputs are not permitted/ },
      ],
      [
        'Ollama string error',
        404,
        {},
        JSON.stringify({ error: 'model "llama9" not found, try pulling it first' }),
        { kind: 'NotFound', message: /llama9/ },
      ],
      ['FastAPI detail', 400, {}, JSON.stringify({ detail: 'bad thing' }), { kind: 'BadRequest', message: /bad thing/ }],
      [
        'Azure content filter',
        400,
        {},
        JSON.stringify({
          error: {
            message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
            type: null,
            param: 'prompt',
            code: 'content_filter',
            status: 400,
            innererror: { code: 'ResponsibleAIPolicyViolation' },
          },
        }),
        { kind: 'BadRequest', param: 'prompt', message: /content management policy.*\(content_filter\)/ },
      ],
      [
        'Azure 429 numeric code',
        429,
        { 'retry-after': '10' },
        JSON.stringify({
          error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit' },
        }),
        { kind: 'RateLimited', retryAfterMs: 10000, message: /call rate limit/ },
      ],
      ['408', 408, {}, '', { kind: 'Timeout', message: /no error body/ }],
      [
        'array-wrapped error',
        400,
        {},
        JSON.stringify([{ error: { message: 'wrapped', type: 'x', code: null } }]),
        { kind: 'BadRequest', message: /wrapped/ },
      ],
    ];

  it.each(cases)('%s', (_name, status, headers, body, expected) => {
    const failure = decodeOpenAIError(status, headers, body, 'openai');
    expect(failure.kind).toBe(expected.kind);
    expect(failure.status).toBe(status);
    expect(failure.retryAfterMs).toBe(expected.retryAfterMs);
    expect(failure.param).toBe(expected.param);
    expect(failure.message).toMatch(expected.message);
    expect(failure.message.startsWith('openai: ')).toBe(true);
  });

  it('never carries an API key that an upstream echoed back', () => {
    const failure = decodeOpenAIError(
      401,
      {},
      openAIBody('invalid_request_error', 'invalid_api_key', 'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz123456'),
      'openai',
    );
    expect(failure.message).not.toContain('abcdefghijklmnop');
  });

  it('truncates very long bodies', () => {
    const failure = decodeOpenAIError(502, {}, 'x'.repeat(10_000), 'openai');
    expect(failure.message.length).toBeLessThan(1100);
  });
});
