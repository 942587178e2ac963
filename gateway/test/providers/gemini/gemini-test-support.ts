// Shared builders for the Gemini provider tests.

import type { BackendTarget, UpstreamHeaders } from '../../../src/unified/provider-codec.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';

export const GEMINI_TEST_KEY = 'test-gemini-key';

export function geminiTarget(
  baseURL: string,
  options: { model?: string; apiKey?: string; headers?: Record<string, string> } = {},
): BackendTarget {
  const backend: BackendTarget['backend'] = {
    name: 'gemini-main',
    provider: 'gemini',
    model: options.model ?? 'gemini-2.5-flash',
    baseURL,
    credentials: [],
    priority: 0,
    weight: 1,
  };
  if (options.headers !== undefined) backend.headers = options.headers;
  const credential = { ref: 'default/gemini/apiKey', weight: 1, apiKey: options.apiKey ?? GEMINI_TEST_KEY };
  backend.credentials.push(credential);
  return { backend, credential, defaultMaxTokens: 4096 };
}

export function chatRequest(overrides: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest {
  return {
    model: 'gemini-public',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'How many r in strawberry?' }] }],
    stream: false,
    ...overrides,
  };
}

export function headersOf(response: Response): UpstreamHeaders {
  const headers: UpstreamHeaders = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}
