import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AzureConfigurationError, azureOpenAIAdapter } from '../../../src/providers/azure-openai/index.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { completeOverHttp, embedOverHttp, streamOverHttp } from '../openai/call-adapter-over-http.js';
import { backendTarget, summarize } from '../openai/openai-test-support.js';

let mock: OpenAIMockServer;
const request: UnifiedChatRequest = {
  model: 'public',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  maxOutputTokens: 10,
};
const azure = { deployment: 'gpt4o-prod', apiVersion: '2024-10-21' };
const target = () => backendTarget({ provider: 'azure-openai', baseURL: mock.url, model: 'gpt-4o', azure }, OPENAI_MOCK_API_KEY);

beforeAll(async () => {
  mock = await startOpenAIMockServer();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

describe('Azure OpenAI adapter', () => {
  it('builds the deployment URL with api-version and authenticates with api-key', () => {
    const encoded = azureOpenAIAdapter.encodeChatRequest(
      request,
      backendTarget({
        provider: 'azure-openai',
        baseURL: 'https://res.openai.azure.com/',
        azure: { deployment: 'my dep', apiVersion: '2024-10-21' },
      }),
    );
    expect(encoded.url).toBe('https://res.openai.azure.com/openai/deployments/my%20dep/chat/completions?api-version=2024-10-21');
    expect(encoded.headers['api-key']).toBe('sk-test-upstream-key-000000000000');
    expect(encoded.headers).not.toHaveProperty('authorization');
    const body = JSON.parse(String(encoded.body)) as Record<string, unknown>;
    expect(body).not.toHaveProperty('model');
    expect(body.max_completion_tokens).toBe(10);
  });

  it('refuses a backend without deployment settings', () => {
    expect(() =>
      azureOpenAIAdapter.encodeChatRequest(request, backendTarget({ provider: 'azure-openai', baseURL: 'https://res.openai.azure.com' })),
    ).toThrow(AzureConfigurationError);
  });

  it('completes, streams and embeds against the mock on Azure paths', async () => {
    const response = await completeOverHttp(azureOpenAIAdapter, request, target());
    expect(response.content).toEqual([{ type: 'text', text: 'mock:mock-model: hi' }]);
    expect(mock.requests[0]!.url).toBe('/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    expect(mock.requests[0]!.headers['api-key']).toBe(OPENAI_MOCK_API_KEY);

    const streamed = summarize(await streamOverHttp(azureOpenAIAdapter, request, target()));
    expect(streamed.text).toBe('mock:mock-model: hi');
    expect(streamed.usages).toHaveLength(1);

    const embedded = await embedOverHttp(azureOpenAIAdapter, { model: 'e', input: ['x'] }, target());
    expect(mock.requests[2]!.url).toBe('/openai/deployments/gpt4o-prod/embeddings?api-version=2024-10-21');
    expect(embedded.embeddings).toHaveLength(1);
  });

  it('a filtered completion finishes with content_filter', async () => {
    mock.script({ content: '', finishReason: 'content_filter' });
    expect((await completeOverHttp(azureOpenAIAdapter, request, target())).finishReason).toBe('content_filter');
  });

  it('a filtered prompt is a BadRequest carrying the content_filter code', async () => {
    mock.script({
      error: {
        status: 400,
        message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
        type: 'invalid_request_error',
        code: 'content_filter',
        param: 'prompt',
      },
    });
    let failure: unknown;
    try {
      await completeOverHttp(azureOpenAIAdapter, request, target());
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect((failure as UpstreamFailure).kind).toBe('BadRequest');
    expect((failure as UpstreamFailure).message).toContain('content_filter');
  });
});
