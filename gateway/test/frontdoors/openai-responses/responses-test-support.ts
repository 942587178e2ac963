// Shared builders for the Responses front door's unit tests, and a replay of an encoded stream
// through the official SDK's own SSE parser and response accumulator.

import type { Usage } from '@switchyard/compiler';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator.mjs';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses.mjs';
import { Stream } from 'openai/streaming.mjs';
import type { ResponsesEnvelope } from '../../../src/wire/openai-responses/encode-responses-response.js';

export function testEnvelope(overrides: Partial<ResponsesEnvelope> = {}): ResponsesEnvelope {
  return {
    id: 'resp_test',
    object: 'response',
    created_at: 1_700_000_000,
    background: false,
    instructions: null,
    max_output_tokens: null,
    model: 'public-model',
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: null,
    store: true,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    metadata: {},
    ...overrides,
  };
}

export const USAGE: Usage = { inputTokens: 31, cachedInputTokens: 4, cacheWriteTokens: 3, outputTokens: 9, reasoningTokens: 2 };

/** USAGE as the Responses API reports it. */
export const RESPONSES_USAGE = {
  input_tokens: 31,
  input_tokens_details: { cached_tokens: 4, cache_write_tokens: 3 },
  output_tokens: 9,
  output_tokens_details: { reasoning_tokens: 2 },
  total_tokens: 40,
};

export interface SdkReplay {
  events: ResponseStreamEvent[];
  /** The SDK's snapshot after the last event; undefined when it threw first. */
  snapshot: SdkResponse | undefined;
  /** What the SDK threw while reading the stream, if anything. */
  thrown: unknown;
}

/** Reads an SSE body exactly as `client.responses.stream()` does: SDK parser, SDK accumulator. */
export async function replayThroughSdk(sse: string): Promise<SdkReplay> {
  const stream = Stream.fromSSEResponse<ResponseStreamEvent>(new Response(sse), new AbortController());
  const events: ResponseStreamEvent[] = [];
  let snapshot: SdkResponse | undefined;
  try {
    for await (const event of stream) {
      events.push(event);
      snapshot = accumulateResponse(event, snapshot);
    }
  } catch (error) {
    return { events, snapshot, thrown: error };
  }
  return { events, snapshot, thrown: undefined };
}
