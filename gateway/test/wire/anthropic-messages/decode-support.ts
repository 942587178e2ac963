// Helpers for the Anthropic front door's decode tests.
import { GatewayError } from '../../../src/errors/gateway-error.js';
import {
  decodeAnthropicMessagesRequest,
  type DecodeAnthropicOptions,
} from '../../../src/wire/anthropic-messages/decode-anthropic-messages-request.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';

export const BASE_BODY = { model: 'claude', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] };

export function decode(extra: Record<string, unknown>, options?: DecodeAnthropicOptions): UnifiedChatRequest {
  return decodeAnthropicMessagesRequest({ ...BASE_BODY, ...extra }, options);
}

/** The body with `messages` replaced. */
export function decodeMessages(messages: unknown, extra: Record<string, unknown> = {}): UnifiedChatRequest {
  return decode({ messages, ...extra });
}

export function decodeError(body: unknown, options?: DecodeAnthropicOptions): GatewayError {
  try {
    decodeAnthropicMessagesRequest(body, options);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected a GatewayError for ${JSON.stringify(body)}`);
}
