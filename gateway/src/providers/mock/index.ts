// The `mock` provider: answers in-process, deterministically, with the latency and failure
// rate a backend's `mock` block asks for. Demos, load tests and CI use it in place of a real
// provider; it goes through the same routing, retry and metering as any other backend.
import type { Usage } from '@switchyard/compiler';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { OutputPart, UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { BackendTarget } from '../../unified/provider-codec.js';
import type { InProcessProviderAdapter } from '../provider-adapter.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { mockAnswer, requestDigest, type MockAnswer } from './mock-answer.js';
import { mockDelay } from './mock-delay.js';
import { DEFAULT_MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from './mock-embeddings.js';
import { isScheduledFailure } from './mock-failure-schedule.js';
import { estimateTokens, promptText } from './mock-usage.js';

async function begin(target: BackendTarget, signal: AbortSignal): Promise<void> {
  const behaviour = target.backend.mock;
  await mockDelay(behaviour?.latencyMs ?? 0, signal);
  const failureRate = behaviour?.failureRate ?? 0;
  if (isScheduledFailure(target.backend, failureRate)) {
    throw new UpstreamFailure('ServerError', 500, `mock backend "${target.backend.name}" failed as scheduled (failureRate ${failureRate})`);
  }
}

function usageFor(request: UnifiedChatRequest, answer: MockAnswer): Usage {
  const output = answer.kind === 'text' ? answer.text : answer.name + answer.arguments;
  return {
    inputTokens: estimateTokens(promptText(request)),
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: estimateTokens(output),
    reasoningTokens: 0,
  };
}

/** Splits after each run of whitespace so the deltas concatenate back to the exact text. */
function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export const mockAdapter: InProcessProviderAdapter = {
  kind: 'in-process',
  provider: 'mock',

  async complete(request, target, signal): Promise<UnifiedChatResponse> {
    await begin(target, signal);
    const answer = mockAnswer(request, target.backend.mock);
    const content: OutputPart[] =
      answer.kind === 'text'
        ? [{ type: 'text', text: answer.text }]
        : [{ type: 'tool_call', id: answer.id, name: answer.name, arguments: answer.arguments }];
    return {
      id: `mock-${requestDigest(request).slice(0, 24)}`,
      model: target.backend.model,
      created: Math.floor(Date.now() / 1000),
      content,
      finishReason: answer.kind === 'text' ? answer.finishReason : 'tool_calls',
      usage: usageFor(request, answer),
    };
  },

  async *stream(request, target, signal): AsyncIterable<UnifiedStreamEvent> {
    await begin(target, signal);
    const answer = mockAnswer(request, target.backend.mock);
    yield {
      type: 'response_start',
      id: `mock-${requestDigest(request).slice(0, 24)}`,
      model: target.backend.model,
      created: Math.floor(Date.now() / 1000),
    };
    if (answer.kind === 'text') {
      for (const word of words(answer.text)) {
        if (signal.aborted) return;
        yield { type: 'text_delta', text: word };
      }
      yield { type: 'finish', finishReason: answer.finishReason };
    } else {
      yield { type: 'tool_call_start', index: 0, id: answer.id, name: answer.name };
      yield { type: 'tool_call_delta', index: 0, argumentsDelta: answer.arguments };
      yield { type: 'finish', finishReason: 'tool_calls' };
    }
    yield { type: 'usage', usage: usageFor(request, answer) };
  },

  async embed(request: UnifiedEmbeddingsRequest, target, signal): Promise<UnifiedEmbeddingsResponse> {
    await begin(target, signal);
    const dimensions = request.dimensions ?? DEFAULT_MOCK_EMBEDDING_DIMENSIONS;
    return {
      model: target.backend.model,
      embeddings: request.input.map((input) => mockEmbedding(input, dimensions)),
      usage: { inputTokens: request.input.reduce((sum, input) => sum + estimateTokens(input), 0) },
    };
  },
};
