// Chat Completions SSE stream (OpenAI or compatible) -> unified stream events.
//
// Tool calls arrive as deltas keyed by `index`: the first carries id and name, later ones append
// argument text. Providers differ in the details, all handled here: Mistral and Groq send a whole
// call in one chunk, Mistral repeats `name: ""` on continuation chunks, some omit `index`.
// Usage arrives in a chunk after the finish reason (OpenAI with include_usage), in the finish
// chunk (Mistral, DeepSeek), or under `x_groq.usage` (Groq); the last one seen is emitted once,
// when the stream completes, so a provider that repeats cumulative usage is not double-counted.

import type { ProviderName, Usage } from '@switchyard/compiler';
import { isRecord, optionalNumber, optionalString, tryParseJson, type JsonRecord } from '@switchyard/compiler';
import { finishReasonFromOpenAI } from './map-openai-finish-reason.js';
import { usageFromOpenAI } from './openai-usage.js';
import { SseDecoder } from '../sse/index.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { StreamDecoder } from '../../unified/provider-codec.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { failureFromStreamError } from './decode-openai-error.js';
import { readAssistantOutput } from './openai-message-content.js';
import { generatedToolCallId } from './tool-call-id.js';

interface ToolCallState {
  /** Our index: tool calls are numbered 0..n in the order they start. */
  index: number;
  id: string;
  started: boolean;
  name: string;
  pendingArguments: string;
}

export class OpenAIStreamDecoder implements StreamDecoder {
  private readonly sse = new SseDecoder();
  private started = false;
  private finished = false;
  private done = false;
  private usage: Usage | undefined;
  private refusal = false;
  private readonly toolCalls = new Map<number, ToolCallState>();
  private nextToolIndex = 0;

  constructor(private readonly provider: ProviderName) {}

  push(chunk: Uint8Array): UnifiedStreamEvent[] {
    const events: UnifiedStreamEvent[] = [];
    for (const sse of this.sse.push(chunk)) this.handleData(sse.data, events);
    return events;
  }

  end(): UnifiedStreamEvent[] {
    const events: UnifiedStreamEvent[] = [];
    for (const sse of this.sse.end()) this.handleData(sse.data, events);
    if (!this.done && !this.finished) {
      throw new UpstreamFailure('StreamBroken', 0, `${this.provider} stream ended before it completed (no finish_reason, no [DONE])`);
    }
    this.complete(events);
    return events;
  }

  private handleData(data: string, events: UnifiedStreamEvent[]): void {
    if (this.done) return;
    if (data.trim() === '[DONE]') {
      this.complete(events);
      this.done = true;
      return;
    }
    const chunk = tryParseJson(data);
    if (!isRecord(chunk)) throw new UpstreamFailure('StreamBroken', 0, `${this.provider} sent a stream event that is not JSON`);
    if (chunk.error !== undefined && chunk.error !== null) throw failureFromStreamError(chunk.error, this.provider);

    const choice = Array.isArray(chunk.choices) && isRecord(chunk.choices[0]) ? chunk.choices[0] : undefined;
    // Azure opens with a prompt-filter chunk that has no id and no choices; wait for a real one.
    if (!this.started && (optionalString(chunk.id) || choice)) {
      this.started = true;
      events.push({
        type: 'response_start',
        id: optionalString(chunk.id) ?? '',
        model: optionalString(chunk.model) ?? '',
        created: optionalNumber(chunk.created) ?? Math.floor(Date.now() / 1000),
      });
    }
    if (choice && isRecord(choice.delta)) this.handleDelta(choice.delta, events);
    if (choice && choice.finish_reason !== undefined && choice.finish_reason !== null && !this.finished) {
      this.dropUnnamedToolCalls();
      this.finished = true;
      const reason = finishReasonFromOpenAI(choice.finish_reason);
      events.push({ type: 'finish', finishReason: this.refusal && reason === 'stop' ? 'refusal' : reason });
    }
    const usage = isRecord(chunk.usage)
      ? chunk.usage
      : isRecord(chunk.x_groq) && isRecord(chunk.x_groq.usage)
        ? chunk.x_groq.usage
        : undefined;
    if (usage) this.usage = usageFromOpenAI(usage);
  }

  private handleDelta(delta: JsonRecord, events: UnifiedStreamEvent[]): void {
    const output = readAssistantOutput(delta);
    if (output.reasoning !== '') events.push({ type: 'reasoning_delta', text: output.reasoning });
    if (output.text !== '') events.push({ type: 'text_delta', text: output.text });
    const refusal = optionalString(delta.refusal);
    if (refusal) {
      this.refusal = true;
      events.push({ type: 'text_delta', text: refusal });
    }
    if (Array.isArray(delta.tool_calls)) {
      delta.tool_calls.forEach((call, position) => {
        if (isRecord(call)) this.handleToolCallDelta(call, position, events);
      });
    }
  }

  private handleToolCallDelta(call: JsonRecord, position: number, events: UnifiedStreamEvent[]): void {
    const upstreamIndex = optionalNumber(call.index) ?? position;
    const fn = isRecord(call.function) ? call.function : {};
    const id = optionalString(call.id) || undefined;
    const name = optionalString(fn.name) || undefined;
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';

    let state = this.toolCalls.get(upstreamIndex);
    // A new id at a known index is a new call (providers that reuse index 0 for every call).
    if (!state || (id !== undefined && state.started && id !== state.id)) {
      state = { index: this.nextToolIndex++, id: id ?? '', started: false, name: '', pendingArguments: '' };
      this.toolCalls.set(upstreamIndex, state);
    }
    if (!state.started) {
      if (id !== undefined && state.id === '') state.id = id;
      if (name !== undefined) state.name = name;
      state.pendingArguments += args;
      if (state.name !== '') this.startToolCall(state, events);
      return;
    }
    if (args !== '') events.push({ type: 'tool_call_delta', index: state.index, argumentsDelta: args });
  }

  private startToolCall(state: ToolCallState, events: UnifiedStreamEvent[]): void {
    state.started = true;
    if (state.id === '') state.id = generatedToolCallId();
    events.push({ type: 'tool_call_start', index: state.index, id: state.id, name: state.name });
    if (state.pendingArguments !== '') events.push({ type: 'tool_call_delta', index: state.index, argumentsDelta: state.pendingArguments });
    state.pendingArguments = '';
  }

  /** A call whose name never arrived cannot be answered; its arguments are dropped with it. */
  private dropUnnamedToolCalls(): void {
    for (const [key, state] of this.toolCalls) if (!state.started) this.toolCalls.delete(key);
  }

  private complete(events: UnifiedStreamEvent[]): void {
    if (this.done) return;
    if (!this.started) throw new UpstreamFailure('StreamBroken', 0, `${this.provider} stream ended without any completion chunk`);
    if (!this.finished && this.started) {
      this.finished = true;
      events.push({ type: 'finish', finishReason: 'other' });
    }
    if (this.usage) {
      events.push({ type: 'usage', usage: this.usage });
      this.usage = undefined;
    }
  }
}
