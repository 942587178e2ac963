// UnifiedChatRequest -> a Chat Completions request body for one OpenAI-format dialect.
// Parameters a dialect does not accept are mapped to its equivalent or dropped (see
// docs/providers/openai.md); they never reach a provider that would reject the whole request.

import type { ProviderName } from '@switchyard/compiler';
import type { OpenAIChatRequest, OpenAIRequestMessage, OpenAIResponseFormat, OpenAIToolChoice } from './openai-chat-types.js';
import type { ReasoningOptions, ResponseFormat, ToolChoice, UnifiedChatRequest } from '../../unified/chat-request.js';
import { convertToOpenAIMessages } from './convert-to-openai-messages.js';
import type { OpenAIDialect } from './openai-dialect.js';

export function convertToOpenAIChatRequest(
  request: UnifiedChatRequest,
  upstreamModel: string,
  dialect: OpenAIDialect,
  provider: ProviderName,
): OpenAIChatRequest {
  const messages = convertToOpenAIMessages(request.messages, dialect, provider);
  const body: OpenAIChatRequest = { model: upstreamModel, messages };

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
    if (request.parallelToolCalls !== undefined && dialect.parallelToolCalls) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.toolChoice) body.tool_choice = toolChoice(request.toolChoice, dialect);
  if (request.responseFormat) {
    const { format, instruction } = responseFormat(request.responseFormat, dialect);
    body.response_format = format;
    if (instruction) insertSystemInstruction(messages, instruction);
  }
  if (request.maxOutputTokens !== undefined) body[dialect.maxTokensField] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined && dialect.topK) body.top_k = request.topK;
  if (request.stopSequences && request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.seed !== undefined) {
    if (dialect.seed === 'seed') body.seed = request.seed;
    else if (dialect.seed === 'random_seed') body.random_seed = request.seed;
  }
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.user !== undefined && dialect.user) body.user = request.user;
  const cacheKey = request.routingHints?.promptCacheKey;
  if (cacheKey !== undefined && dialect.promptCacheKey) body.prompt_cache_key = cacheKey;
  const retention = request.providerOptions?.openai?.promptCacheRetention;
  if (retention !== undefined && dialect.promptCacheKey) body.prompt_cache_retention = retention;
  const effort = reasoningEffort(request.reasoning, dialect);
  if (effort !== undefined) {
    if (dialect.reasoningEffort === 'reasoning_effort') body.reasoning_effort = effort;
    else if (dialect.reasoningEffort === 'openrouter') body.reasoning = { effort };
  }
  if (request.stream) {
    body.stream = true;
    // Usage on streams is how spend gets settled: always asked for where the provider allows.
    if (dialect.streamOptions) body.stream_options = { include_usage: true };
  }
  return body;
}

function toolChoice(choice: ToolChoice, dialect: OpenAIDialect): OpenAIToolChoice {
  switch (choice.type) {
    case 'auto':
    case 'none':
      return choice.type;
    case 'required':
      return dialect.requiredToolChoice;
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function responseFormat(format: ResponseFormat, dialect: OpenAIDialect): { format: OpenAIResponseFormat; instruction?: string } {
  if (format.type !== 'json_schema') return { format: { type: format.type } };
  if (dialect.jsonSchema === 'json_object_with_instruction') {
    return {
      format: { type: 'json_object' },
      instruction: `Respond with json only: a single JSON value that conforms to this JSON Schema${
        format.description ? ` (${format.description})` : ''
      }:\n${JSON.stringify(format.schema)}`,
    };
  }
  const jsonSchema: Extract<OpenAIResponseFormat, { type: 'json_schema' }>['json_schema'] = { name: format.name, schema: format.schema };
  if (format.strict !== undefined) jsonSchema.strict = format.strict;
  if (format.description !== undefined) jsonSchema.description = format.description;
  return { format: { type: 'json_schema', json_schema: jsonSchema } };
}

/** The schema instruction goes after the caller's leading system messages. */
function insertSystemInstruction(messages: OpenAIRequestMessage[], instruction: string): void {
  let at = 0;
  while (at < messages.length && messages[at].role === 'system') at++;
  messages.splice(at, 0, { role: 'system', content: instruction });
}

const EFFORT_ORDER = ['minimal', 'low', 'medium', 'high'] as const;
type Effort = (typeof EFFORT_ORDER)[number];

/**
 * The caller's effort, or one derived from an explicit thinking budget (Anthropic/Gemini
 * callers), moved to the nearest level the provider accepts (upwards first).
 */
function reasoningEffort(options: ReasoningOptions | undefined, dialect: OpenAIDialect): Effort | undefined {
  if (!options || dialect.reasoningEffort === 'drop') return undefined;
  let effort: Effort | undefined = options.effort;
  if (effort === undefined && options.budgetTokens !== undefined) {
    if (options.budgetTokens <= 0) return undefined;
    effort = options.budgetTokens <= 2048 ? 'low' : options.budgetTokens <= 8192 ? 'medium' : 'high';
  }
  if (effort === undefined || dialect.reasoningEfforts.length === 0) return undefined;
  if (dialect.reasoningEfforts.includes(effort)) return effort;
  const index = EFFORT_ORDER.indexOf(effort);
  for (let distance = 1; distance < EFFORT_ORDER.length; distance++) {
    const up = EFFORT_ORDER[index + distance];
    if (up && dialect.reasoningEfforts.includes(up)) return up;
    const down = EFFORT_ORDER[index - distance];
    if (down && dialect.reasoningEfforts.includes(down)) return down;
  }
  return undefined;
}
