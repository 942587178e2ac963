// Anthropic Messages SSE -> unified stream events.
//
// Anthropic numbers content blocks across kinds (thinking 0, text 1, tool_use 2, ...); unified
// tool calls are numbered 0..n among tool calls only, so each tool_use block gets the next tool
// index when it starts. A stream is complete only once message_stop arrived; anything else is a
// cut connection.
//
// response_start is held back until the first event with content (or the end of the message):
// Anthropic often answers 200, sends message_start and then `event: error` (overloaded_error).
// Failing before any event is emitted keeps that attempt retryable, since the gateway retries a
// stream only until its first events are out.

import { readAnthropicError } from './anthropic-error-body.js';
import { mergeAnthropicUsage, readAnthropicUsage, usageFromAnthropic, type AnthropicUsageCounters } from './anthropic-usage.js';
import { isRecord, stringField, type JsonRecord } from '@switchyard/compiler';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';
import { SseDecoder, type ServerSentEvent } from '../sse/index.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { StreamDecoder } from '../../unified/provider-codec.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { decodeAnthropicStreamError } from './decode-anthropic-error.js';
import { isJsonResponseTool } from './json-response-tool.js';

type BlockState =
  | { kind: 'text' | 'thinking' | 'ignored' }
  | { kind: 'tool'; toolIndex: number; startInput: unknown; argumentsSent: boolean }
  | { kind: 'json_answer'; startInput: unknown; argumentsSent: boolean };

export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly sse = new SseDecoder();
  private readonly blocks = new Map<number, BlockState>();
  private usage: AnthropicUsageCounters = {};
  private nextToolIndex = 0;
  private jsonAnswerSeen = false;
  private stopped = false;
  private heldStart: UnifiedStreamEvent | undefined;
  /** An in-stream error that arrived after events of the same chunk; thrown on the next call. */
  private pendingFailure: UpstreamFailure | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  push(chunk: Uint8Array): UnifiedStreamEvent[] {
    this.throwPending();
    return this.handleAll(this.sse.push(chunk));
  }

  end(): UnifiedStreamEvent[] {
    this.throwPending();
    const events = this.handleAll(this.sse.end());
    this.throwPending();
    if (!this.stopped) throw new UpstreamFailure('StreamBroken', 200, 'anthropic stream ended before message_stop');
    return events;
  }

  private throwPending(): void {
    if (this.pendingFailure === undefined) return;
    const failure = this.pendingFailure;
    this.pendingFailure = undefined;
    throw failure;
  }

  private handleAll(sseEvents: ServerSentEvent[]): UnifiedStreamEvent[] {
    const out: UnifiedStreamEvent[] = [];
    for (const sseEvent of sseEvents) {
      if (this.stopped) break;
      try {
        this.handle(sseEvent, out);
      } catch (error) {
        if (!(error instanceof UpstreamFailure) || out.length === 0) throw error;
        // Deliver what arrived before the error, then fail on the next call.
        this.pendingFailure = error;
        break;
      }
    }
    return out;
  }

  private handle(sseEvent: ServerSentEvent, out: UnifiedStreamEvent[]): void {
    let data: unknown;
    try {
      data = JSON.parse(sseEvent.data);
    } catch {
      throw new UpstreamFailure('StreamBroken', 200, `anthropic stream sent malformed JSON in a ${sseEvent.event ?? 'data'} event`);
    }
    if (!isRecord(data)) throw new UpstreamFailure('StreamBroken', 200, 'anthropic stream sent an event that is not a JSON object');
    const type = stringField(data, 'type') ?? sseEvent.event;
    switch (type) {
      case 'message_start':
        return this.messageStart(data, out);
      case 'content_block_start':
        return this.blockStart(data, out);
      case 'content_block_delta':
        return this.blockDelta(data, out);
      case 'content_block_stop':
        return this.blockStop(data, out);
      case 'message_delta':
        return this.messageDelta(data, out);
      case 'message_stop':
        this.stopped = true;
        this.releaseStart(out);
        return;
      case 'error': {
        const parsed = readAnthropicError(data);
        throw parsed === undefined
          ? new UpstreamFailure('StreamBroken', 200, 'anthropic stream reported an error without details')
          : decodeAnthropicStreamError(parsed);
      }
      default:
        // ping, and event types added after this was written: Anthropic asks clients to ignore them.
        return;
    }
  }

  private messageStart(data: JsonRecord, _out: UnifiedStreamEvent[]): void {
    const message = isRecord(data['message']) ? data['message'] : {};
    this.usage = readAnthropicUsage(message['usage']);
    this.heldStart = {
      type: 'response_start',
      id: stringField(message, 'id') ?? '',
      model: stringField(message, 'model') ?? '',
      created: Math.floor(this.now() / 1000),
    };
  }

  private emit(out: UnifiedStreamEvent[], event: UnifiedStreamEvent): void {
    this.releaseStart(out);
    out.push(event);
  }

  private releaseStart(out: UnifiedStreamEvent[]): void {
    if (this.heldStart === undefined) return;
    out.push(this.heldStart);
    this.heldStart = undefined;
  }

  private blockStart(data: JsonRecord, out: UnifiedStreamEvent[]): void {
    const index = blockIndex(data);
    const block = isRecord(data['content_block']) ? data['content_block'] : {};
    switch (block['type']) {
      case 'text': {
        this.blocks.set(index, { kind: 'text' });
        const text = stringField(block, 'text');
        if (text !== undefined && text !== '') this.emit(out, { type: 'text_delta', text });
        return;
      }
      case 'thinking': {
        this.blocks.set(index, { kind: 'thinking' });
        const thinking = stringField(block, 'thinking');
        if (thinking !== undefined && thinking !== '') this.emit(out, { type: 'reasoning_delta', text: thinking });
        const signature = stringField(block, 'signature');
        if (signature !== undefined && signature !== '') this.emit(out, { type: 'reasoning_signature', signature });
        return;
      }
      case 'redacted_thinking':
        this.blocks.set(index, { kind: 'ignored' });
        this.emit(out, { type: 'reasoning_redacted', data: stringField(block, 'data') ?? '' });
        return;
      case 'tool_use': {
        const name = stringField(block, 'name') ?? '';
        if (isJsonResponseTool(name)) {
          this.jsonAnswerSeen = true;
          this.blocks.set(index, { kind: 'json_answer', startInput: block['input'], argumentsSent: false });
          return;
        }
        const toolIndex = this.nextToolIndex++;
        this.blocks.set(index, { kind: 'tool', toolIndex, startInput: block['input'], argumentsSent: false });
        this.emit(out, { type: 'tool_call_start', index: toolIndex, id: stringField(block, 'id') ?? '', name });
        return;
      }
      default:
        // Server-tool blocks (web search, code execution): not part of a unified answer.
        this.blocks.set(index, { kind: 'ignored' });
    }
  }

  private blockDelta(data: JsonRecord, out: UnifiedStreamEvent[]): void {
    const state = this.blocks.get(blockIndex(data));
    const delta = isRecord(data['delta']) ? data['delta'] : {};
    if (state === undefined) return;
    switch (delta['type']) {
      case 'text_delta': {
        const text = stringField(delta, 'text');
        if (state.kind === 'text' && text !== undefined && text !== '') this.emit(out, { type: 'text_delta', text });
        return;
      }
      case 'thinking_delta': {
        const thinking = stringField(delta, 'thinking');
        if (state.kind === 'thinking' && thinking !== undefined && thinking !== '')
          this.emit(out, { type: 'reasoning_delta', text: thinking });
        return;
      }
      case 'signature_delta': {
        const signature = stringField(delta, 'signature');
        if (state.kind === 'thinking' && signature !== undefined && signature !== '')
          this.emit(out, { type: 'reasoning_signature', signature });
        return;
      }
      case 'input_json_delta': {
        const partial = stringField(delta, 'partial_json');
        if (partial === undefined || partial === '') return;
        if (state.kind === 'tool') {
          state.argumentsSent = true;
          this.emit(out, { type: 'tool_call_delta', index: state.toolIndex, argumentsDelta: partial });
        } else if (state.kind === 'json_answer') {
          state.argumentsSent = true;
          this.emit(out, { type: 'text_delta', text: partial });
        }
        return;
      }
      default:
        // citations_delta and future delta types carry nothing unified callers read.
        return;
    }
  }

  private blockStop(data: JsonRecord, out: UnifiedStreamEvent[]): void {
    const state = this.blocks.get(blockIndex(data));
    if (state === undefined || (state.kind !== 'tool' && state.kind !== 'json_answer') || state.argumentsSent) return;
    // No input_json_delta with content (a tool without arguments): send the input from the
    // block start, so callers always get JSON arguments ("{}"), as in the non-streamed answer.
    const argumentsText = JSON.stringify(state.startInput ?? {});
    state.argumentsSent = true;
    if (state.kind === 'tool') this.emit(out, { type: 'tool_call_delta', index: state.toolIndex, argumentsDelta: argumentsText });
    else this.emit(out, { type: 'text_delta', text: argumentsText });
  }

  private messageDelta(data: JsonRecord, out: UnifiedStreamEvent[]): void {
    const delta = isRecord(data['delta']) ? data['delta'] : {};
    const stopReason = stringField(delta, 'stop_reason');
    if (stopReason !== undefined) {
      const mapped = mapAnthropicStopReason(stopReason, stringField(delta, 'stop_sequence'));
      // The forced JSON-answer tool ends the turn with tool_use; to the caller it is a finished answer.
      const finishReason =
        mapped.finishReason === 'tool_calls' && this.nextToolIndex === 0 && this.jsonAnswerSeen ? 'stop' : mapped.finishReason;
      this.emit(
        out,
        mapped.stopSequence === undefined
          ? { type: 'finish', finishReason }
          : { type: 'finish', finishReason, stopSequence: mapped.stopSequence },
      );
    }
    this.usage = mergeAnthropicUsage(this.usage, readAnthropicUsage(data['usage']));
    this.emit(out, { type: 'usage', usage: usageFromAnthropic(this.usage) });
  }
}

function blockIndex(data: JsonRecord): number {
  const index = data['index'];
  return typeof index === 'number' ? index : -1;
}
