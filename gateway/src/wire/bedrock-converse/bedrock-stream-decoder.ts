// ConverseStream bytes -> unified stream events. Framing is AWS event-stream; each message is
// an event (`:event-type`), an exception (`:exception-type`) or a generic error.

import { type EventStreamMessage, EventStreamDecoder, EventStreamFramingError, stringHeader } from '../aws-event-stream/index.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { StreamDecoder } from '../../unified/provider-codec.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { decodeBedrockStreamException, sanitizeAwsMessage } from './decode-bedrock-error.js';
import { unifiedUsageFromBedrock } from './bedrock-usage.js';
import { JSON_RESPONSE_TOOL_NAME } from './bedrock-json-response-tool.js';
import type { ResponseIdentity } from './convert-from-bedrock-converse.js';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.js';
import { isRecord } from '@switchyard/compiler';

const textDecoder = new TextDecoder();

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

interface ToolBlock {
  /** Unified tool-call index; undefined for the response_format answer tool, streamed as text. */
  toolIndex: number | undefined;
  sawArguments: boolean;
}

export class BedrockStreamDecoder implements StreamDecoder {
  private readonly frames = new EventStreamDecoder();
  private readonly toolBlocks = new Map<number, ToolBlock>();
  private nextToolIndex = 0;
  private started = false;
  private stopped = false;

  constructor(private readonly identity: ResponseIdentity) {}

  /** A failure met after events decoded from the same chunk: those are returned first, it is thrown next. */
  private pendingFailure: UpstreamFailure | undefined;

  push(chunk: Uint8Array): UnifiedStreamEvent[] {
    if (this.pendingFailure) throw this.pendingFailure;
    const events: UnifiedStreamEvent[] = [];
    try {
      let messages: EventStreamMessage[];
      try {
        messages = this.frames.push(chunk);
      } catch (error) {
        throw this.framingFailure(error);
      }
      for (const message of messages) this.handle(message, events);
    } catch (error) {
      if (!(error instanceof UpstreamFailure) || events.length === 0) throw error;
      this.pendingFailure = error;
    }
    // response_start waits for the first real event: a stream that fails right after
    // messageStart (throttling, overload) has then produced nothing and can still be retried.
    if (events.length > 0 && !this.started) {
      this.started = true;
      events.unshift({ type: 'response_start', id: this.identity.id, model: this.identity.model, created: this.identity.created });
    }
    return events;
  }

  end(): UnifiedStreamEvent[] {
    if (this.pendingFailure) throw this.pendingFailure;
    try {
      this.frames.end();
    } catch (error) {
      throw this.framingFailure(error);
    }
    if (!this.stopped) throw new UpstreamFailure('StreamBroken', 200, 'Bedrock stream ended before its messageStop event');
    return [];
  }

  private framingFailure(error: unknown): UpstreamFailure {
    const detail = error instanceof EventStreamFramingError ? error.message : String(error);
    return new UpstreamFailure('StreamBroken', 200, `Bedrock event stream broke: ${detail}`, { cause: error });
  }

  private handle(message: EventStreamMessage, events: UnifiedStreamEvent[]): void {
    const messageType = stringHeader(message, ':message-type') ?? 'event';
    if (messageType === 'exception') {
      throw decodeBedrockStreamException(
        stringHeader(message, ':exception-type') ?? 'unknownException',
        textDecoder.decode(message.payload),
      );
    }
    if (messageType === 'error') {
      const code = stringHeader(message, ':error-code') ?? 'UnknownError';
      throw new UpstreamFailure(
        'ServerError',
        200,
        sanitizeAwsMessage(`${code}: ${stringHeader(message, ':error-message') ?? 'no message'}`),
      );
    }
    const eventType = stringHeader(message, ':event-type');
    if (eventType === undefined) return;
    let payload: unknown;
    try {
      payload = JSON.parse(textDecoder.decode(message.payload));
    } catch {
      throw new UpstreamFailure('StreamBroken', 200, `Bedrock ${eventType} event payload is not JSON`);
    }
    if (!isRecord(payload)) throw new UpstreamFailure('StreamBroken', 200, `Bedrock ${eventType} event payload is not an object`);

    switch (eventType) {
      case 'contentBlockStart':
        this.onBlockStart(payload, events);
        break;
      case 'contentBlockDelta':
        this.onBlockDelta(payload, events);
        break;
      case 'contentBlockStop':
        this.onBlockStop(payload, events);
        break;
      case 'messageStop':
        this.onMessageStop(payload, events);
        break;
      case 'metadata':
        events.push({ type: 'usage', usage: unifiedUsageFromBedrock(payload['usage']) });
        break;
      default:
        // messageStart (it carries only the role) and event types added after this was written.
        break;
    }
  }

  private onBlockStart(payload: Record<string, unknown>, events: UnifiedStreamEvent[]): void {
    const index = payload['contentBlockIndex'];
    const start = payload['start'];
    const toolUse = isRecord(start) ? start['toolUse'] : undefined;
    if (typeof index !== 'number' || !isRecord(toolUse)) return;
    const name = str(toolUse['name']) ?? '';
    if (name === JSON_RESPONSE_TOOL_NAME) {
      this.toolBlocks.set(index, { toolIndex: undefined, sawArguments: false });
      return;
    }
    const toolIndex = this.nextToolIndex++;
    this.toolBlocks.set(index, { toolIndex, sawArguments: false });
    events.push({ type: 'tool_call_start', index: toolIndex, id: str(toolUse['toolUseId']) ?? '', name });
  }

  private onBlockDelta(payload: Record<string, unknown>, events: UnifiedStreamEvent[]): void {
    const delta = payload['delta'];
    if (!isRecord(delta)) return;
    const text = str(delta['text']);
    if (text) events.push({ type: 'text_delta', text });

    const toolUse = delta['toolUse'];
    if (isRecord(toolUse)) {
      const input = str(toolUse['input']) ?? '';
      const block = typeof payload['contentBlockIndex'] === 'number' ? this.toolBlocks.get(payload['contentBlockIndex']) : undefined;
      if (!block)
        throw new UpstreamFailure('StreamBroken', 200, 'Bedrock sent tool input for a content block that never started a tool call');
      if (input !== '') {
        block.sawArguments = true;
        events.push(
          block.toolIndex === undefined
            ? { type: 'text_delta', text: input }
            : { type: 'tool_call_delta', index: block.toolIndex, argumentsDelta: input },
        );
      }
    }

    const reasoning = delta['reasoningContent'];
    if (isRecord(reasoning)) {
      const reasoningText = str(reasoning['text']);
      if (reasoningText) events.push({ type: 'reasoning_delta', text: reasoningText });
      const signature = str(reasoning['signature']);
      if (signature) events.push({ type: 'reasoning_signature', signature });
      const redacted = str(reasoning['redactedContent']);
      if (redacted) events.push({ type: 'reasoning_redacted', data: redacted });
    }
  }

  /** A tool called without arguments streams no input at all; give it `{}` like the non-streaming API. */
  private onBlockStop(payload: Record<string, unknown>, events: UnifiedStreamEvent[]): void {
    const block = typeof payload['contentBlockIndex'] === 'number' ? this.toolBlocks.get(payload['contentBlockIndex']) : undefined;
    if (!block || block.sawArguments) return;
    block.sawArguments = true;
    events.push(
      block.toolIndex === undefined
        ? { type: 'text_delta', text: '{}' }
        : { type: 'tool_call_delta', index: block.toolIndex, argumentsDelta: '{}' },
    );
  }

  private onMessageStop(payload: Record<string, unknown>, events: UnifiedStreamEvent[]): void {
    this.stopped = true;
    const stop = mapBedrockStopReason(payload['stopReason'], payload['additionalModelResponseFields']);
    const onlyAnswerTool = stop.finishReason === 'tool_calls' && this.nextToolIndex === 0 && this.toolBlocks.size > 0;
    events.push({
      type: 'finish',
      finishReason: onlyAnswerTool ? 'stop' : stop.finishReason,
      ...(stop.stopSequence === undefined ? {} : { stopSequence: stop.stopSequence }),
    });
  }
}
