// Errors through the Gemini front door arrive in Google's shape ({error: {code, message, status,
// details}}) with the right HTTP status, as @google/genai surfaces them (ApiError), for every
// backend family: a bad key (401), a model the key may not use (403), an unknown model (404),
// a bad field (400 naming it), a provider's own 400 passed through, and a stream that fails after
// it began (an error chunk in the stream).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError } from '@google/genai';
import { cellName, modelFor, NARROW_KEY, providersInTree, startRig, type ProviderFamily, type Rig } from './gemini-front-door-rig.js';

interface GoogleError {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

async function apiError(call: Promise<unknown>): Promise<{ status: number; body: GoogleError }> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw error;
  return { status: error.status, body: JSON.parse(error.message) as GoogleError };
}

/** Queues a provider-side 400 with this message. */
function scriptUpstreamBadRequest(provider: ProviderFamily, message: string): void {
  switch (provider) {
    case 'openai':
      rig.openai.script({ error: { status: 400, message, type: 'invalid_request_error', param: 'messages' } });
      break;
    case 'anthropic':
      rig.anthropic.enqueue({ error: { status: 400, type: 'invalid_request_error', message } });
      break;
    case 'gemini':
      rig.gemini.enqueue({ error: { code: 400, status: 'INVALID_ARGUMENT', message } });
      break;
    case 'bedrock':
      rig.bedrock?.enqueue({ error: { status: 400, type: 'ValidationException', message } });
      break;
    case 'mock':
      break;
  }
}

/** Queues a streamed answer that fails after its first text arrived (paced, so the text is not in the same read as the failure). */
function scriptBrokenStream(provider: ProviderFamily): void {
  switch (provider) {
    case 'openai':
      rig.openai.script({
        content: 'Once upon a time there was',
        chunkDelayMs: 40,
        errorAfterChunks: { after: 2, message: 'The server had an error while processing your request.' },
      });
      break;
    case 'anthropic':
      rig.anthropic.enqueue({
        content: [{ type: 'text', text: 'Once upon a time there was' }],
        frameDelayMs: 40,
        errorAfterEvents: { after: 5, type: 'overloaded_error', message: 'Overloaded' },
      });
      break;
    case 'gemini':
      rig.gemini.enqueue({
        chunks: [
          {
            candidates: [{ content: { role: 'model', parts: [{ text: 'Once upon' }] }, index: 0 }],
            modelVersion: 'gemini-2.5-flash',
            responseId: 'broken',
          },
          { candidates: [] },
        ],
        cut: { afterChunks: 1, how: 'reset' },
      });
      break;
    case 'bedrock':
      rig.bedrock?.enqueue({
        response: {
          id: 'broken',
          model: 'claude',
          created: 0,
          content: [{ type: 'text', text: 'Once upon a time there was' }],
          finishReason: 'stop',
          usage: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 6, reasoningTokens: 0 },
        },
        exceptionAfter: { events: 3, type: 'internalServerException', message: 'The system encountered an unexpected error.' },
      });
      break;
    case 'mock':
      break;
  }
}

describe.each(providersInTree())('errors', (provider) => {
  it(cellName(provider, 'a wrong key is 401 UNAUTHENTICATED'), async () => {
    const { status, body } = await apiError(
      rig
        .clientWithKey('sk-sy-NotAKeyTheGatewayKnows0123456789abcdef')
        .models.generateContent({ model: modelFor(provider), contents: 'hi' }),
    );
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', message: 'invalid API key' });
  });

  it(cellName(provider, "a model outside the key's allow-list is 403 PERMISSION_DENIED"), async () => {
    const call = rig.clientWithKey(NARROW_KEY).models.generateContent({ model: modelFor(provider), contents: 'hi' });
    if (provider === 'mock') {
      // The narrow key may use exactly this route.
      expect((await call).text).toBe('Mock reply to: hi');
      return;
    }
    const { status, body } = await apiError(call);
    expect(status).toBe(403);
    expect(body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    expect(body.error.message).toContain(modelFor(provider));
  });

  it(cellName(provider, 'a bad field is 400 INVALID_ARGUMENT naming it'), async () => {
    const { status, body } = await apiError(
      rig.client.models.generateContent({
        model: modelFor(provider),
        contents: [{ role: 'user', parts: [{ text: 'Describe this.' }, { inlineData: { mimeType: 'image/png', data: '***' } }] }],
      }),
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).toContain('contents[0].parts[1].inlineData.data');
    expect(body.error.details).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'contents[0].parts[1].inlineData.data', description: body.error.message }],
    });
  });

  if (provider !== 'mock') {
    it(cellName(provider, "the provider's own 400 passes through as 400 INVALID_ARGUMENT with its message"), async () => {
      scriptUpstreamBadRequest(provider, 'the prompt is too long for this model');
      const { status, body } = await apiError(rig.client.models.generateContent({ model: modelFor(provider), contents: 'hi' }));
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(body.error.message).toContain('the prompt is too long for this model');
    });

    it(cellName(provider, "a stream that fails after it began ends with Google's error chunk"), async () => {
      scriptBrokenStream(provider);
      let text = '';
      const failure = await (async () => {
        for await (const chunk of await rig.client.models.generateContentStream({
          model: modelFor(provider),
          contents: 'Tell me a story.',
        }))
          text += chunk.text ?? '';
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(text.length).toBeGreaterThan(0);
      expect(failure).toBeInstanceOf(ApiError);
      expect((failure as ApiError).status).toBe(502);
      expect((failure as ApiError).message).toContain('UNAVAILABLE');
    });
  }
});

describe('errors not tied to a provider', () => {
  it('gemini front door x no provider: an unknown model is 404 NOT_FOUND', async () => {
    const { status, body } = await apiError(rig.client.models.generateContent({ model: 'no-such-model', contents: 'hi' }));
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(body.error.message).toContain('no-such-model');
  });

  it('gemini front door x no provider: no key at all is 401 naming the headers to use', async () => {
    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor('mock')}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as GoogleError;
    expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect(body.error.message).toContain('x-goog-api-key');
  });
});
