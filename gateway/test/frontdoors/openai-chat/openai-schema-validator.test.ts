import { describe, expect, it } from '@jest/globals';
import { openAISchemaErrors } from './openai-schema-validator.js';

// The conformance checks elsewhere are only as good as the extracted schemas: prove they reject.
describe('OpenAI schema fixture', () => {
  const valid = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'x', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  };

  it('accepts a minimal valid completion', () => {
    expect(openAISchemaErrors('CreateChatCompletionResponse', valid)).toEqual([]);
  });

  const invalid: Array<[string, unknown]> = [
    ['finish_reason outside the enum', { ...valid, choices: [{ ...valid.choices[0], finish_reason: 'refusal' }] }],
    ['missing id', { ...valid, id: undefined }],
    ['wrong object', { ...valid, object: 'chat.completion.chunk' }],
    ['message without refusal', { ...valid, choices: [{ ...valid.choices[0], message: { role: 'assistant', content: 'x' } }] }],
  ];
  it.each(invalid)('rejects a completion with %s', (_name, value) => {
    expect(openAISchemaErrors('CreateChatCompletionResponse', JSON.parse(JSON.stringify(value)))).not.toEqual([]);
  });

  it('rejects a chunk without choices and an error without param', () => {
    expect(
      openAISchemaErrors('CreateChatCompletionStreamResponse', { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm' }),
    ).not.toEqual([]);
    expect(openAISchemaErrors('ErrorResponse', { error: { message: 'm', type: 't', code: null } })).not.toEqual([]);
  });

  it('accepts nullable stream fields as null', () => {
    const chunk = {
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: null }],
      usage: null,
    };
    expect(openAISchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
  });
});
