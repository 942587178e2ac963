// `:streamGenerateContent?alt=sse` -> unified stream events.
//
// Each SSE event is `data: <GenerateContentResponse>`; there is no terminal [DONE], so the
// stream is complete only once a chunk carried a finishReason (or a blocked prompt's
// promptFeedback). A stream that ends before that was cut: `end()` throws StreamBroken.
//
//  - text parts -> text_delta; `thought: true` parts -> reasoning_delta
//  - a `thoughtSignature` -> reasoning_signature (after a thought's text; before the part it
//    came on otherwise, matching decode-gemini-generate-content-response)
//  - function calls usually arrive whole -> tool_call_start + one tool_call_delta. With
//    streamed arguments (Gemini 3 `partialArgs`) the call opens with `{name, willContinue}`,
//    pieces follow, and a functionCall without `willContinue` closes it; the assembled
//    arguments go out as one delta when it closes (see gemini-partial-function-args).
//  - tool call ids are synthesized (gemini-tool-call-ids); STOP with calls -> tool_calls
//  - usageMetadata is cumulative in every chunk: the last one with counts is emitted at end()

import { randomBytes } from 'node:crypto';
import type { StreamDecoder } from '../../unified/provider-codec.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { SseDecoder, type ServerSentEvent } from '../sse/index.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import { checkGeminiResponseShape } from './check-gemini-response-shape.js';
import { createdSeconds } from './decode-gemini-generate-content-response.js';
import { googleErrorFromJson, upstreamFailureFromGoogleError } from './decode-gemini-error.js';
import { PartialFunctionArgs } from './gemini-partial-function-args.js';
import { createToolCallIdFactory, type ToolCallIdFactory } from './gemini-tool-call-ids.js';
import { hasTokenCounts, usageFromGemini } from './gemini-usage.js';
import type { GeminiFunctionCall, GeminiPart, GeminiUsageMetadata } from './gemini-wire-types.js';
import { finishReasonForBlockedPrompt, mapGeminiFinishReason } from './map-gemini-finish-reason.js';

interface OpenFunctionCall {
  index: number;
  args: PartialFunctionArgs;
}

/** Framing-free core: parsed GenerateContentResponse chunks in, unified events out. */
class GeminiStreamAssembler {
  private started = false;
  private finished = false;
  private toolCalls = 0;
  private toolCallId: ToolCallIdFactory = createToolCallIdFactory(undefined);
  private openCall: OpenFunctionCall | undefined;
  private usage: GeminiUsageMetadata | undefined;

  constructor(
    private readonly fallbackModel: string,
    private readonly now: () => number = Date.now,
  ) {}

  push(chunk: unknown): UnifiedStreamEvent[] {
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
      throw new UpstreamFailure('StreamBroken', 200, 'Gemini sent a stream chunk that is not a GenerateContentResponse object');
    }
    const error = googleErrorFromJson(chunk);
    if (error !== undefined) throw upstreamFailureFromGoogleError(error, 200);
    const response = checkGeminiResponseShape(chunk as Record<string, unknown>, 'StreamBroken');
    const events: UnifiedStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      this.toolCallId = createToolCallIdFactory(response.responseId);
      events.push({
        type: 'response_start',
        id: response.responseId ?? `gemini-${randomBytes(12).toString('base64url')}`,
        model: response.modelVersion ?? this.fallbackModel,
        created: createdSeconds(response.createTime, this.now),
      });
    }
    if (hasTokenCounts(response.usageMetadata)) this.usage = response.usageMetadata;

    const candidate = response.candidates?.find((c) => (c.index ?? 0) === 0);
    if (candidate === undefined) {
      if (response.promptFeedback?.blockReason !== undefined && !this.finished) {
        this.finished = true;
        events.push({ type: 'finish', finishReason: finishReasonForBlockedPrompt() });
      }
      return events;
    }
    for (const part of candidate.content?.parts ?? []) this.pushPart(part, events);
    if (candidate.finishReason !== undefined && !this.finished) {
      this.closeOpenCall(events);
      this.finished = true;
      events.push({ type: 'finish', finishReason: mapGeminiFinishReason(candidate.finishReason, this.toolCalls > 0) });
    }
    return events;
  }

  /** Called when the upstream stream ended; throws StreamBroken when it ended early. */
  finish(): UnifiedStreamEvent[] {
    if (!this.finished) {
      throw new UpstreamFailure(
        'StreamBroken',
        200,
        this.started ? 'Gemini stream ended before any chunk carried a finishReason' : 'Gemini stream ended without sending any chunk',
      );
    }
    return this.usage === undefined ? [] : [{ type: 'usage', usage: usageFromGemini(this.usage) }];
  }

  private pushPart(part: GeminiPart, events: UnifiedStreamEvent[]): void {
    if (part.thought === true) {
      if (part.text !== undefined && part.text !== '') events.push({ type: 'reasoning_delta', text: part.text });
      if (part.thoughtSignature !== undefined) events.push({ type: 'reasoning_signature', signature: part.thoughtSignature });
      return;
    }
    if (part.functionCall !== undefined) {
      this.pushFunctionCall(part.functionCall, part.thoughtSignature, events);
      return;
    }
    this.closeOpenCall(events);
    if (part.thoughtSignature !== undefined) events.push({ type: 'reasoning_signature', signature: part.thoughtSignature });
    if (typeof part.text === 'string' && part.text !== '') events.push({ type: 'text_delta', text: part.text });
  }

  private pushFunctionCall(call: GeminiFunctionCall, signature: string | undefined, events: UnifiedStreamEvent[]): void {
    if (call.name === undefined || call.name === '') {
      // A continuation (or the closing `{}`) of a call whose arguments are streamed.
      if (signature !== undefined) events.push({ type: 'reasoning_signature', signature });
      if (this.openCall === undefined) return;
      this.applyPieces(this.openCall, call);
      if (call.willContinue !== true) this.closeOpenCall(events);
      return;
    }
    this.closeOpenCall(events);
    if (signature !== undefined) events.push({ type: 'reasoning_signature', signature });
    const index = this.toolCalls++;
    events.push({ type: 'tool_call_start', index, id: this.toolCallId(index, call.id), name: call.name });
    const open: OpenFunctionCall = { index, args: new PartialFunctionArgs() };
    this.applyPieces(open, call);
    if (call.willContinue === true) this.openCall = open;
    else events.push({ type: 'tool_call_delta', index, argumentsDelta: open.args.toJson() });
  }

  private applyPieces(open: OpenFunctionCall, call: GeminiFunctionCall): void {
    if (call.args !== undefined) open.args.merge(call.args);
    for (const piece of call.partialArgs ?? []) {
      try {
        open.args.apply(piece);
      } catch (error) {
        throw new UpstreamFailure('StreamBroken', 200, `Gemini streamed an unusable function-call argument: ${(error as Error).message}`);
      }
    }
  }

  private closeOpenCall(events: UnifiedStreamEvent[]): void {
    if (this.openCall === undefined) return;
    events.push({ type: 'tool_call_delta', index: this.openCall.index, argumentsDelta: this.openCall.args.toJson() });
    this.openCall = undefined;
  }
}

/** The SSE framing around GeminiStreamAssembler: what the Gemini (and Vertex AI) adapters return. */
export class GeminiSseStreamDecoder implements StreamDecoder {
  private readonly sse = new SseDecoder();
  private readonly assembler: GeminiStreamAssembler;

  constructor(fallbackModel: string, now?: () => number) {
    this.assembler = new GeminiStreamAssembler(fallbackModel, now);
  }

  push(chunk: Uint8Array): UnifiedStreamEvent[] {
    return this.sse.push(chunk).flatMap((event) => this.decodeEvent(event));
  }

  end(): UnifiedStreamEvent[] {
    const events = this.sse.end().flatMap((event) => this.decodeEvent(event));
    events.push(...this.assembler.finish());
    return events;
  }

  private decodeEvent(event: ServerSentEvent): UnifiedStreamEvent[] {
    const data = event.data.trim();
    if (data === '' || data === '[DONE]') return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new UpstreamFailure('StreamBroken', 200, `Gemini sent a stream event that is not JSON (${data.length} bytes, cut mid-event?)`);
    }
    return this.assembler.push(chunk);
  }
}
