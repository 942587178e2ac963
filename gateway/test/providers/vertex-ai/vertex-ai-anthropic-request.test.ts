// Claude on Vertex: the Anthropic Messages body, minus `model`, plus Vertex's anthropic_version.

import { describe, expect, it } from '@jest/globals';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { encodeVertexAnthropicRequest } from '../../../src/providers/vertex-ai/vertex-ai-anthropic-request.js';

function request(overrides: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest {
  return { model: 'public-name', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

describe('encodeVertexAnthropicRequest', () => {
  const cases: Array<[string, UnifiedChatRequest, Record<string, unknown>]> = [
    [
      'defaults',
      request(),
      { anthropic_version: 'vertex-2023-10-16', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
    [
      'caller max tokens and stream',
      request({ maxOutputTokens: 100, stream: true }),
      {
        anthropic_version: 'vertex-2023-10-16',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
    ],
    [
      'system and temperature',
      request({
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        ],
        temperature: 0.2,
      }),
      {
        anthropic_version: 'vertex-2023-10-16',
        max_tokens: 4096,
        system: [{ type: 'text', text: 'Be brief.' }],
        temperature: 0.2,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
    ],
  ];
  it.each(cases)('%s', (_name, unified, expected) => {
    const body = encodeVertexAnthropicRequest(unified, 'claude-sonnet-4-5@20250929', 4096);
    expect(body).toEqual(expected);
    expect(body).not.toHaveProperty('model');
  });
});
