import { describe, expect, it } from '@jest/globals';
import { convertFromBedrockConverse } from '../../../src/wire/bedrock-converse/convert-from-bedrock-converse.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { captureJson, usage } from '../../providers/bedrock/bedrock-capture-support.js';

const identity = { id: 'bedrock-test-id', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', created: 1700000000 };

const REASONING_SIGNATURE =
  'EvYBCkgICxABGAIqQA9E9VC377UnbjdfXCw4RwQaaIXsqocZKzI3WwWtXT/wBjzAkBOfIiVkP/mhvsPGb5oQW/2j+E1tZcNFoXIb26YSDBTSbDrbHwXJoAl3/hoMA/Qo4rIHvObP/yBrIjAT+l69mh9k7evFO+w+ransSD5YGq4hYrieOyJH3k/zHv8nBJwiz3Nlrb3jNFi2Ib0qXJH7BIK0hR85yYIoccReoJUpeLEMxeWbsO6f0EpOSMSi3YDLd1U9NAw7Itjeay1fEBPHwvawt2M4e/rn52SsuEz3p2DfOZm+N3bnL63rg0Cb9lFcp3k5kuU1h6hcGAE=';

const expected: Array<[string, Omit<UnifiedChatResponse, 'id' | 'model' | 'created'>]> = [
  [
    'amazon-bedrock-text',
    {
      content: [
        {
          type: 'text',
          text: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."',
        },
      ],
      finishReason: 'stop',
      usage: usage(22, 57),
    },
  ],
  [
    'amazon-bedrock-reasoning',
    {
      content: [
        {
          type: 'reasoning',
          text: 'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r\'s.',
          signature: REASONING_SIGNATURE,
        },
        { type: 'text', text: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y' },
      ],
      finishReason: 'stop',
      usage: usage(51, 78),
    },
  ],
  [
    'amazon-bedrock-tool-call.1',
    {
      content: [{ type: 'tool_call', id: 'tool-use-id', name: 'bash', arguments: '{"command":"ls -l"}' }],
      finishReason: 'tool_calls',
      usage: usage(10, 20),
    },
  ],
  [
    'amazon-bedrock-tool-no-args',
    {
      content: [
        { type: 'text', text: "I'll update the issue list for you." },
        { type: 'tool_call', id: 'tool-use-id', name: 'updateIssueList', arguments: '{}' },
      ],
      finishReason: 'tool_calls',
      usage: usage(100, 25),
    },
  ],
];

describe('convertFromBedrockConverse on recorded Converse responses', () => {
  it.each(expected)('%s', (name, response) => {
    expect(convertFromBedrockConverse(captureJson(name), identity)).toEqual({ ...identity, ...response });
  });
});

describe('convertFromBedrockConverse details', () => {
  it('turns the response_format answer tool into text and finishes with stop', () => {
    const body = {
      output: {
        message: {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't', name: 'switchyard_json_response', input: { city: 'Paris' } } }],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 2 },
    };
    expect(convertFromBedrockConverse(body, identity)).toMatchObject({
      content: [{ type: 'text', text: '{"city":"Paris"}' }],
      finishReason: 'stop',
    });
  });

  it('keeps tool_calls when a real tool was called beside the answer tool', () => {
    const body = {
      output: {
        message: {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 'a', name: 'get_weather', input: { city: 'Oslo' } } }],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 2 },
    };
    expect(convertFromBedrockConverse(body, identity).finishReason).toBe('tool_calls');
  });

  it('reads stop sequences, cache usage and redacted reasoning; skips blocks it cannot render', () => {
    const body = JSON.stringify({
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { redactedContent: 'b3BhcXVl' } },
            { image: { format: 'png', source: { bytes: 'AA==' } } },
            { text: 'done' },
          ],
        },
      },
      stopReason: 'stop_sequence',
      additionalModelResponseFields: { stop_sequence: 'END' },
      usage: { inputTokens: 4, outputTokens: 2, cacheReadInputTokens: 10, cacheWriteInputTokens: 3 },
    });
    expect(convertFromBedrockConverse(body, identity)).toEqual({
      ...identity,
      content: [
        { type: 'reasoning', text: '', redactedData: 'b3BhcXVl' },
        { type: 'text', text: 'done' },
      ],
      finishReason: 'stop',
      stopSequence: 'END',
      usage: usage(17, 2, 10, 3),
    });
  });

  it.each([['not json'], [{}], [{ output: { message: { content: 'x' } } }], [null]])('rejects a malformed body %#', (body) => {
    expect(() => convertFromBedrockConverse(body, identity)).toThrow(UpstreamFailure);
  });
});
