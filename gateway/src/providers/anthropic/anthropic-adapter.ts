// The Anthropic Messages API as an HTTP provider: POST {baseURL}/v1/messages.

import {
  ANTHROPIC_VERSION,
  decodeAnthropicError,
  AnthropicStreamDecoder,
  convertToAnthropicMessagesRequest,
  decodeAnthropicResponse,
} from '../../wire/anthropic-messages/index.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import type { BackendTarget, UpstreamHttpRequest } from '../../unified/provider-codec.js';
import type { HttpProviderAdapter } from '../provider-adapter.js';
import { UpstreamFailure } from '../../errors/upstream-failure.js';

interface AnthropicAdapterOptions {
  /** Clock for `created` (Anthropic answers carry no timestamp). */
  now?: () => number;
}

function anthropicMessagesUrl(baseURL: string): string {
  return `${baseURL.replace(/\/+$/, '')}/v1/messages`;
}

function createAnthropicAdapter(options: AnthropicAdapterOptions = {}): HttpProviderAdapter {
  const now = options.now ?? Date.now;
  return {
    kind: 'http',
    provider: 'anthropic',
    encodeChatRequest(request: UnifiedChatRequest, target: BackendTarget): UpstreamHttpRequest {
      const body = convertToAnthropicMessagesRequest(request, { model: target.backend.model, defaultMaxTokens: target.defaultMaxTokens });
      return {
        url: anthropicMessagesUrl(target.backend.baseURL),
        method: 'POST',
        headers: anthropicHeaders(target, request.stream),
        body: JSON.stringify(body),
      };
    },
    decodeChatResponse: (body) => decodeAnthropicResponse(body, now()),
    createStreamDecoder: () => new AnthropicStreamDecoder(now),
    decodeError: decodeAnthropicError,
  };
}

function anthropicHeaders(target: BackendTarget, stream: boolean): Record<string, string> {
  const apiKey = target.credential?.apiKey;
  if (apiKey === undefined || apiKey === '') {
    // Names the backend and credential source, never a value.
    throw new UpstreamFailure(
      'AuthError',
      0,
      `backend ${target.backend.name} has no Anthropic API key (credential ${target.credential?.ref ?? 'missing'})`,
    );
  }
  return {
    // Static headers from the manifest (e.g. `anthropic-beta`) may also pin another API version.
    'anthropic-version': ANTHROPIC_VERSION,
    ...target.backend.headers,
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'x-api-key': apiKey,
  };
}

export const anthropicAdapter: HttpProviderAdapter = createAnthropicAdapter();
