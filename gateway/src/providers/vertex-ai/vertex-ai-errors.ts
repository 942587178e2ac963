// A non-2xx Vertex AI answer -> classified UpstreamFailure. Two envelopes come back: Google's
// `{error: {code, message, status, details}}` from Vertex itself (IAM, quota, unknown model, and
// every Gemini error), and Anthropic's `{type: "error", error: {type, message}}` when a Claude
// model answered. The top-level `type: "error"` tells them apart; everything else (including a
// proxy's HTML page) is read as Google's.

import { decodeGeminiError } from '../../wire/gemini/index.js';
import { decodeAnthropicError } from '../../wire/anthropic-messages/index.js';
import type { UpstreamHeaders } from '../../unified/provider-codec.js';
import type { UpstreamFailure } from '../../errors/upstream-failure.js';

const VERTEX_SERVICE_NAME = 'Vertex AI';

export function decodeVertexAIError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamFailure {
  if (isAnthropicErrorBody(bodyText)) return decodeAnthropicError(status, headers, bodyText);
  return decodeGeminiError(status, headers, bodyText, VERTEX_SERVICE_NAME);
}

function isAnthropicErrorBody(bodyText: string): boolean {
  // Cheap pre-check: error bodies are small, but most Vertex errors are Google's.
  if (!bodyText.includes('"error"')) return false;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    return typeof parsed === 'object' && parsed !== null && (parsed as { type?: unknown }).type === 'error';
  } catch {
    return false;
  }
}
