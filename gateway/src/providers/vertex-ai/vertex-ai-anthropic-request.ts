// Claude on Vertex AI takes the Anthropic Messages body with two differences: the model is in
// the URL, not the body, and the API version travels in the body as `anthropic_version`
// (Vertex's own value), not in an `anthropic-version` header.

import { type AnthropicMessagesRequest, convertToAnthropicMessagesRequest } from '../../wire/anthropic-messages/index.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';

const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

type VertexAnthropicRequest = Omit<AnthropicMessagesRequest, 'model'> & { anthropic_version: string };

export function encodeVertexAnthropicRequest(request: UnifiedChatRequest, model: string, defaultMaxTokens: number): VertexAnthropicRequest {
  const { model: _inUrl, ...body } = convertToAnthropicMessagesRequest(request, { model, defaultMaxTokens });
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...body };
}
