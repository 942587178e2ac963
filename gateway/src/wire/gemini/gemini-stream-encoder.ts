// Unified stream events -> Gemini `:streamGenerateContent` chunks, for the Gemini front door.
// Two framings, as Google sends them: with `alt=sse`, `data: <GenerateContentResponse>` and CRLF
// CRLF, no [DONE]; without it, one JSON array written element by element (`[`, the chunks
// separated by `,` CRLF, `]` at the end), so the body as a whole is valid JSON.
//
// Thoughts go out as they arrive. Gemini sends function calls whole, so tool calls are held until
// their arguments are complete (the next non-tool event, or the end) and then sent in one chunk.
// finishReason and usageMetadata travel in the last chunk, written by `end()`, because usage may
// arrive after the finish event. Gemini puts them on the chunk holding the answer's last content,
// not on a chunk of its own with an empty `{"text": ""}` part: clients keep an empty part in their
// chat history and send it back, and the Google GenAI SDK's chat session drops a streamed turn
// whose chunks include one without parts. So each text chunk is written when the next event
// arrives (its wait is the gap to the next upstream event; events decoded from one upstream read
// pass without waiting), and the last one is written by `end()` with the finish. An answer whose
// last content was not text (a thought) ends on a chunk without content; a thought signature still
// pending at the end rides on an empty text part, as Gemini itself sends it.

import type { GatewayError } from '../../errors/gateway-error.js';
import type { FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import type { FinishReason, Usage } from '../../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import { toGeminiFunctionCall } from './convert-output-to-gemini-parts.js';
import { googleErrorBody } from './encode-google-error.js';
import { geminiResponseId } from './gemini-response-id.js';
import { usageToGemini } from './gemini-usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse, GeminiPart } from './gemini-wire-types.js';
import { toGeminiFinishReason } from './map-gemini-finish-reason.js';

interface HeldToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
  signature: string | undefined;
}

function formatGeminiSseChunk(body: unknown): string {
  return `data: ${JSON.stringify(body)}\r\n\r\n`;
}

export type GeminiStreamFraming = 'sse' | 'json-array';

export class GeminiStreamEncoder implements FrontDoorStreamEncoder {
  readonly contentType: string;
  private chunksWritten = 0;
  private responseId: string | undefined;
  private pendingSignature: string | undefined;
  private heldCalls: HeldToolCall[] = [];
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;
  /** The latest text chunk's parts, not yet written: the finish rides on it if nothing follows. */
  private heldText: GeminiPart[] | undefined;

  /** `requestedModel` is the public model name the caller used, reported as modelVersion. */
  constructor(
    private readonly requestedModel: string,
    private readonly framing: GeminiStreamFraming = 'sse',
  ) {
    this.contentType = framing === 'sse' ? 'text/event-stream' : 'application/json; charset=UTF-8';
  }

  encode(event: UnifiedStreamEvent): string {
    switch (event.type) {
      case 'response_start':
        this.responseId = geminiResponseId(event.id);
        return '';
      case 'text_delta': {
        if (event.text === '') return '';
        const written = this.flushText() + this.flushCalls();
        this.heldText = [this.withPendingSignature({ text: event.text })];
        return written;
      }
      case 'reasoning_delta':
        return event.text === '' ? '' : this.flushText() + this.flushCalls() + this.chunk([{ text: event.text, thought: true }]);
      case 'reasoning_signature': {
        const flushed = this.flushText() + this.flushCalls() + this.flushSignature();
        this.pendingSignature = event.signature;
        return flushed;
      }
      case 'reasoning_redacted':
        return '';
      case 'tool_call_start': {
        const written = this.flushText();
        this.heldCalls.push({ index: event.index, id: event.id, name: event.name, arguments: '', signature: this.takePendingSignature() });
        return written;
      }
      case 'tool_call_delta': {
        const call = this.heldCalls.find((c) => c.index === event.index);
        if (call !== undefined) call.arguments += event.argumentsDelta;
        return '';
      }
      case 'finish':
        this.finishReason = event.finishReason;
        return '';
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'hosted_tool_list':
      case 'hosted_tool_call':
      case 'hosted_tool_result':
        // Gemini's format has no items for tools the gateway ran (route spec.mcp keeps them hidden).
        return '';
    }
  }

  end(): string {
    const parts = [...this.takeHeldText(), ...this.takeCallParts()];
    const signature = this.takePendingSignature();
    if (signature !== undefined) parts.push({ text: '', thoughtSignature: signature });
    const candidate: GeminiCandidate = { index: 0 };
    if (parts.length > 0) candidate.content = { role: 'model', parts };
    if (this.finishReason !== undefined) candidate.finishReason = toGeminiFinishReason(this.finishReason);
    const body = this.envelope([candidate]);
    if (this.usage !== undefined) body.usageMetadata = usageToGemini(this.usage);
    return this.frame(body) + this.closing();
  }

  error(error: GatewayError): string {
    return this.flushText() + this.flushCalls() + this.frame(googleErrorBody(error)) + this.closing();
  }

  private chunk(parts: GeminiPart[]): string {
    return this.frame(this.envelope([{ content: { role: 'model', parts }, index: 0 }]));
  }

  private frame(body: unknown): string {
    if (this.framing === 'sse') return formatGeminiSseChunk(body);
    const separator = this.chunksWritten === 0 ? '[' : ',\r\n';
    this.chunksWritten += 1;
    return separator + JSON.stringify(body);
  }

  private closing(): string {
    return this.framing === 'sse' ? '' : ']';
  }

  private envelope(candidates: GeminiCandidate[]): GeminiGenerateContentResponse {
    const body: GeminiGenerateContentResponse = { candidates, modelVersion: this.requestedModel };
    if (this.responseId !== undefined) body.responseId = this.responseId;
    return body;
  }

  private flushText(): string {
    const parts = this.takeHeldText();
    return parts.length === 0 ? '' : this.chunk(parts);
  }

  private takeHeldText(): GeminiPart[] {
    const parts = this.heldText ?? [];
    this.heldText = undefined;
    return parts;
  }

  private flushCalls(): string {
    const parts = this.takeCallParts();
    return parts.length === 0 ? '' : this.chunk(parts);
  }

  private flushSignature(): string {
    const signature = this.takePendingSignature();
    return signature === undefined ? '' : this.chunk([{ text: '', thoughtSignature: signature }]);
  }

  private takeCallParts(): GeminiPart[] {
    const calls = [...this.heldCalls].sort((a, b) => a.index - b.index);
    this.heldCalls = [];
    return calls.map((call) => {
      const part: GeminiPart = { functionCall: toGeminiFunctionCall(call.id, call.name, call.arguments) };
      if (call.signature !== undefined) part.thoughtSignature = call.signature;
      return part;
    });
  }

  private withPendingSignature(part: GeminiPart): GeminiPart {
    const signature = this.takePendingSignature();
    if (signature !== undefined) part.thoughtSignature = signature;
    return part;
  }

  private takePendingSignature(): string | undefined {
    const signature = this.pendingSignature;
    this.pendingSignature = undefined;
    return signature;
  }
}
