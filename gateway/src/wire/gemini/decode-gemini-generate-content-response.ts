// Gemini GenerateContentResponse (the `:generateContent` body) -> unified response.
//
// Only the first candidate is read (the gateway never asks for more). `thought: true` parts are
// reasoning; a `thoughtSignature` on any other part becomes a signature-only reasoning part just
// before that part, which convert-to-gemini-contents turns back into the same signature on the
// same part when the caller replays the turn. A prompt blocked by safety filters
// (`promptFeedback.blockReason`, no candidates) is an empty `content_filter` answer, not an error.
// Parts the unified model has no place for (inlineData images, executableCode) are left out.

import { randomBytes } from 'node:crypto';
import type { OutputPart, UnifiedChatResponse } from '../../unified/chat-response.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';
import { checkGeminiResponseShape } from './check-gemini-response-shape.js';
import { googleErrorFromJson, upstreamFailureFromGoogleError } from './decode-gemini-error.js';
import { createToolCallIdFactory } from './gemini-tool-call-ids.js';
import { usageFromGemini } from './gemini-usage.js';
import type { GeminiGenerateContentResponse, GeminiPart } from './gemini-wire-types.js';
import { finishReasonForBlockedPrompt, mapGeminiFinishReason } from './map-gemini-finish-reason.js';

export function decodeGeminiGenerateContentResponse(
  body: unknown,
  fallbackModel: string,
  now: () => number = Date.now,
): UnifiedChatResponse {
  const response = asGenerateContentResponse(body);
  const candidate = response.candidates?.[0];
  const base = {
    id: response.responseId ?? `gemini-${randomBytes(12).toString('base64url')}`,
    model: response.modelVersion ?? fallbackModel,
    created: createdSeconds(response.createTime, now),
    usage: usageFromGemini(response.usageMetadata),
  };
  if (candidate === undefined) {
    if (response.promptFeedback?.blockReason !== undefined) return { ...base, content: [], finishReason: finishReasonForBlockedPrompt() };
    throw new UpstreamFailure('Other', 200, 'Gemini returned no candidates and no promptFeedback.blockReason');
  }
  const content = convertGeminiPartsToOutput(candidate.content?.parts ?? [], createToolCallIdFactory(response.responseId));
  const hasToolCalls = content.some((part) => part.type === 'tool_call');
  return { ...base, content, finishReason: mapGeminiFinishReason(candidate.finishReason, hasToolCalls) };
}

function convertGeminiPartsToOutput(parts: GeminiPart[], toolCallId: ReturnType<typeof createToolCallIdFactory>): OutputPart[] {
  const output: OutputPart[] = [];
  let toolCalls = 0;
  for (const part of parts) {
    if (part.thought === true) {
      const reasoning: OutputPart = { type: 'reasoning', text: part.text ?? '' };
      if (part.thoughtSignature !== undefined) reasoning.signature = part.thoughtSignature;
      output.push(reasoning);
      continue;
    }
    if (part.thoughtSignature !== undefined) output.push({ type: 'reasoning', text: '', signature: part.thoughtSignature });
    if (part.functionCall !== undefined) {
      const call = part.functionCall;
      output.push({
        type: 'tool_call',
        id: toolCallId(toolCalls++, call.id),
        name: call.name ?? '',
        arguments: JSON.stringify(call.args ?? {}),
      });
    } else if (typeof part.text === 'string' && part.text !== '') {
      output.push({ type: 'text', text: part.text });
    }
  }
  return output;
}

export function createdSeconds(createTime: string | undefined, now: () => number): number {
  const parsed = createTime === undefined ? Number.NaN : Date.parse(createTime);
  return Math.floor((Number.isNaN(parsed) ? now() : parsed) / 1000);
}

function asGenerateContentResponse(body: unknown): GeminiGenerateContentResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UpstreamFailure('Other', 200, 'Gemini returned a body that is not a GenerateContentResponse object');
  }
  const error = googleErrorFromJson(body);
  if (error !== undefined) throw upstreamFailureFromGoogleError(error, 200);
  return checkGeminiResponseShape(body as Record<string, unknown>, 'Other');
}
