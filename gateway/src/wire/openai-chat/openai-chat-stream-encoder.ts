// Unified stream events -> `chat.completion.chunk` server-sent events, in OpenAI's order: a role
// chunk first, content and tool-call deltas, a chunk carrying finish_reason, then (only when the
// caller asked with stream_options.include_usage) a usage chunk with empty choices, then
// `data: [DONE]`. A failure after the first byte ends the stream with an error event and no
// [DONE], which is how OpenAI's SDKs recognise a broken stream.

import type { GatewayError } from '../../errors/gateway-error.js';
import { openAIFinishReason } from './map-openai-finish-reason.js';
import type { OpenAIChatCompletionChunk, OpenAIChunkDelta, OpenAIFinishReason } from './openai-chat-types.js';
import { openAIUsageFromUsage } from './openai-usage.js';
import { formatSseEvent } from '../sse/index.js';
import type { Usage } from '../../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import { chatCompletionId } from './completion-id.js';
import { openAIErrorBody } from './encode-openai-error.js';

export class OpenAIChatStreamEncoder implements FrontDoorStreamEncoder {
  readonly contentType = 'text/event-stream; charset=utf-8';
  private id: string | undefined;
  private created = Math.floor(Date.now() / 1000);
  private started = false;
  private finished = false;
  private closed = false;
  private usage: Usage | undefined;

  constructor(
    private readonly requestedModel: string,
    private readonly includeUsage: boolean,
  ) {}

  encode(event: UnifiedStreamEvent): string {
    if (this.closed) return '';
    switch (event.type) {
      case 'response_start':
        if (!this.started) {
          this.id = chatCompletionId(event.id);
          if (event.created > 0) this.created = event.created;
        }
        return this.start();
      case 'text_delta':
        return event.text === '' ? '' : this.start() + this.chunk({ content: event.text });
      case 'reasoning_delta':
        return event.text === '' ? '' : this.start() + this.chunk({ reasoning_content: event.text });
      case 'tool_call_start':
        return (
          this.start() +
          this.chunk({
            tool_calls: [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }],
          })
        );
      case 'tool_call_delta':
        return event.argumentsDelta === ''
          ? ''
          : this.start() + this.chunk({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] });
      case 'finish':
        if (this.finished) return '';
        this.finished = true;
        return this.start() + this.chunk({}, openAIFinishReason(event.finishReason));
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'reasoning_signature':
      case 'reasoning_redacted':
        // Anthropic's opaque reasoning fields have no place in a Chat Completions stream.
        return '';
      case 'hosted_tool_list':
      case 'hosted_tool_call':
      case 'hosted_tool_result':
        // Chat Completions has no items for tools the gateway ran (route spec.mcp keeps them hidden).
        return '';
    }
  }

  end(): string {
    if (this.closed) return '';
    let out = this.start();
    if (!this.finished) {
      this.finished = true;
      out += this.chunk({}, 'stop');
    }
    if (this.includeUsage) {
      const usage = this.usage ?? { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
      const frame: OpenAIChatCompletionChunk = { ...this.envelope(), choices: [], usage: openAIUsageFromUsage(usage) };
      out += formatSseEvent(JSON.stringify(frame));
    }
    this.closed = true;
    return out + formatSseEvent('[DONE]');
  }

  error(error: GatewayError): string {
    if (this.closed) return '';
    this.closed = true;
    return formatSseEvent(JSON.stringify(openAIErrorBody(error)));
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    this.id ??= chatCompletionId(undefined);
    return this.chunk({ role: 'assistant', content: '', refusal: null });
  }

  private envelope(): Omit<OpenAIChatCompletionChunk, 'choices'> {
    return { id: this.id ?? '', object: 'chat.completion.chunk', created: this.created, model: this.requestedModel };
  }

  private chunk(delta: OpenAIChunkDelta, finishReason: OpenAIFinishReason | null = null): string {
    const frame: OpenAIChatCompletionChunk = {
      ...this.envelope(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    // With include_usage OpenAI sends `usage: null` on every chunk before the usage chunk.
    if (this.includeUsage) frame.usage = null;
    return formatSseEvent(JSON.stringify(frame));
  }
}
