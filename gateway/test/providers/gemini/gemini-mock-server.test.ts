// The mock speaks Google's wire format; these pin the parts the adapter tests rely on.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { geminiCaptureSseBytes, rateLimitedReply, startGeminiMockServer, type GeminiMockServer } from '../../mocks/gemini-mock-server.js';

let mock: GeminiMockServer;
beforeAll(async () => {
  mock = await startGeminiMockServer({ apiKey: 'k1' });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

function post(path: string, body: unknown, key: string | null = 'k1'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['x-goog-api-key'] = key;
  return fetch(`${mock.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('Gemini mock server', () => {
  it('streams captures as `data:` events separated by CRLF CRLF, byte for byte', async () => {
    mock.enqueue({ capture: 'google-tool-call' });
    const response = await post('/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse', body);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe(geminiCaptureSseBytes('google-tool-call'));
    expect(mock.calls[0]).toMatchObject({ model: 'gemini-3-pro-preview', method: 'streamGenerateContent', alt: 'sse' });
  });

  it('answers a stream without alt=sse with a JSON array', async () => {
    const response = await post('/v1beta/models/m:streamGenerateContent', body);
    const chunks = (await response.json()) as unknown[];
    expect(chunks).toHaveLength(3);
  });

  it.each([
    ['missing', null],
    ['wrong', 'k2'],
  ])('rejects a %s key as Google does (400 API_KEY_INVALID)', async (_name, key) => {
    const response = await post('/v1beta/models/m:generateContent', body, key);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { status: string; details: Array<{ reason: string }> } };
    expect(json.error.status).toBe('INVALID_ARGUMENT');
    expect(json.error.details[0]!.reason).toBe('API_KEY_INVALID');
    expect(mock.calls).toHaveLength(0);
  });

  it('404s an unknown method in Google format', async () => {
    const response = await post('/v1beta/models/m:countTokens', body);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });

  it('serves queued replies in order, then the default capture', async () => {
    mock.enqueue(rateLimitedReply('1.5s'));
    const limited = await post('/v1beta/models/m:generateContent', body);
    expect(limited.status).toBe(429);
    const details = ((await limited.json()) as { error: { details: Array<Record<string, unknown>> } }).error.details;
    expect(details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '1.5s',
    });
    const ok = await post('/v1beta/models/m:generateContent', body);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { responseId: string }).responseId).toBe('Un6LacrVMcjUxs0PmJfWoQc');
  });

  it('waits delayMs before answering', async () => {
    mock.enqueue({ capture: 'google-text', delayMs: 150 });
    const started = Date.now();
    await (await post('/v1beta/models/m:generateContent', body)).json();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
