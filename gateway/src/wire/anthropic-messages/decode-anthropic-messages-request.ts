// POST /anthropic/v1/messages body (and /count_tokens) -> UnifiedChatRequest.
//
// What is mapped, ignored and refused is tabulated in docs/frontdoors/anthropic.md; keep the two
// in step. In short: fields that change what the model sees or how the answer is shaped are
// mapped or refused (400 naming the field); fields about Anthropic's account, routing or
// diagnostics (service_tier, inference_geo, speed, diagnostics, workspace_id, user_profile_id,
// metadata keys other than user_id) are ignored, as is any unknown field.

import type { CacheControl, ContentPart, ReasoningOptions, UnifiedChatRequest, UnifiedMessage } from '../../unified/chat-request.js';
import {
  fieldError,
  optionalBoolean,
  optionalNumber,
  optionalRecord,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireNumber,
  requireOneOf,
  requireString,
} from './anthropic-request-fields.js';
import { isAbsent } from '../request-fields/index.js';
import type { JsonRecord } from '@switchyard/compiler';
import { MIN_THINKING_BUDGET_TOKENS } from './anthropic-thinking-budget.js';
import { decodeCacheControl } from './decode-anthropic-content-blocks.js';
import { decodeAnthropicMessages, decodeAnthropicSystem } from './decode-anthropic-messages.js';
import { decodeAnthropicMcpServers } from './decode-anthropic-mcp-servers.js';
import { decodeAnthropicToolChoice, decodeAnthropicTools } from './decode-anthropic-tools.js';

export interface DecodeAnthropicOptions {
  /** count_tokens bodies carry no `max_tokens` and no `stream`. */
  countTokens?: boolean;
}

export function decodeAnthropicMessagesRequest(body: unknown, options: DecodeAnthropicOptions = {}): UnifiedChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw fieldError('body', 'Input should be an object');
  const b = body as JsonRecord;
  refuseServerSideFeatures(b);

  const model = requireNonEmptyString(b['model'], 'model');
  const messages: UnifiedMessage[] = [];
  const system = decodeAnthropicSystem(b['system']);
  if (system !== undefined) messages.push(system);
  messages.push(...decodeAnthropicMessages(b['messages']));
  const conversationCache = decodeCacheControl(b['cache_control'], 'cache_control');
  if (conversationCache !== undefined) markLastCacheablePart(messages, conversationCache);

  const request: UnifiedChatRequest = { model, messages, stream: false };
  if (!options.countTokens) {
    request.maxOutputTokens = requireNumber(b['max_tokens'], 'max_tokens', { integer: true, min: 1 });
    request.stream = optionalBoolean(b['stream'], 'stream') ?? false;
  } else {
    const maxTokens = optionalNumber(b['max_tokens'], 'max_tokens', { integer: true, min: 1 });
    if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  }

  const tools = decodeAnthropicTools(b['tools']);
  if (tools !== undefined) request.tools = tools;
  const choice = decodeAnthropicToolChoice(b['tool_choice'], tools);
  if (choice !== undefined) {
    request.toolChoice = choice.toolChoice;
    if (choice.parallelToolCalls !== undefined) request.parallelToolCalls = choice.parallelToolCalls;
  }

  // MCP servers whose tools the gateway runs (the MCP connector, answered by the gateway itself).
  const hostedMcp = options.countTokens ? undefined : decodeAnthropicMcpServers(b['mcp_servers']);
  if (hostedMcp !== undefined) request.hostedMcp = hostedMcp;

  const temperature = optionalNumber(b['temperature'], 'temperature', { min: 0, max: 1 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(b['top_p'], 'top_p', { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  const topK = optionalNumber(b['top_k'], 'top_k', { integer: true, min: 0 });
  if (topK !== undefined) request.topK = topK;
  const stopSequences = decodeStopSequences(b['stop_sequences']);
  if (stopSequences !== undefined) request.stopSequences = stopSequences;

  const metadata = optionalRecord(b['metadata'], 'metadata');
  const userId = metadata === undefined ? undefined : optionalString(metadata['user_id'], 'metadata.user_id');
  if (userId !== undefined && userId !== '') request.user = userId;

  const outputConfig = optionalRecord(b['output_config'], 'output_config');
  const reasoning = decodeReasoning(b['thinking'], outputConfig, request.maxOutputTokens);
  if (reasoning !== undefined) request.reasoning = reasoning;
  const schema = outputConfig === undefined ? undefined : decodeOutputFormat(outputConfig['format']);
  if (schema !== undefined) request.responseFormat = { type: 'json_schema', name: 'response', schema };
  return request;
}

function refuseServerSideFeatures(b: JsonRecord): void {
  if (!isAbsent(b['container'])) {
    throw fieldError('container', "code execution containers are not supported by this gateway (they exist only on Anthropic's API)");
  }
  if (!isAbsent(b['context_management'])) {
    throw fieldError(
      'context_management',
      "server-side context management is not supported by this gateway (it runs only on Anthropic's API)",
    );
  }
}

function decodeStopSequences(value: unknown): string[] | undefined {
  if (isAbsent(value)) return undefined;
  const items = requireArray(value, 'stop_sequences').map((item, i) => requireString(item, `stop_sequences.${i}`));
  return items.length === 0 ? undefined : items;
}

const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/**
 * `thinking` and `output_config.effort` -> unified reasoning:
 * enabled -> the explicit budget (plus the effort, if given); disabled -> budget 0, which every
 * provider reads as "no reasoning"; adaptive (the model decides) -> the effort, `medium` when
 * none is given. Without `thinking`, an effort alone still carries over.
 */
function decodeReasoning(
  value: unknown,
  outputConfig: JsonRecord | undefined,
  maxTokens: number | undefined,
): ReasoningOptions | undefined {
  const effortValue = outputConfig?.['effort'];
  const effort = isAbsent(effortValue) ? undefined : unifiedEffort(requireOneOf(effortValue, EFFORTS, 'output_config.effort'));
  const thinking = optionalRecord(value, 'thinking');
  if (thinking === undefined) return effort === undefined ? undefined : { effort };
  const type = requireOneOf(thinking['type'], ['enabled', 'disabled', 'adaptive', 'between_tools'] as const, 'thinking.type');
  switch (type) {
    case 'disabled':
      return { budgetTokens: 0 };
    case 'adaptive':
      return { effort: effort ?? 'medium' };
    case 'between_tools':
      throw fieldError(
        'thinking.type',
        "thinking of type 'between_tools' is not supported by this gateway; use 'enabled' with a budget_tokens, or 'adaptive'",
      );
    case 'enabled': {
      const budget = requireNumber(thinking['budget_tokens'], 'thinking.budget_tokens', { integer: true, min: MIN_THINKING_BUDGET_TOKENS });
      if (maxTokens !== undefined && budget >= maxTokens) {
        throw fieldError('max_tokens', `\`max_tokens\` must be greater than \`thinking.budget_tokens\` (${maxTokens} <= ${budget})`);
      }
      return effort === undefined ? { budgetTokens: budget } : { budgetTokens: budget, effort };
    }
  }
}

function unifiedEffort(effort: (typeof EFFORTS)[number]): NonNullable<ReasoningOptions['effort']> {
  return effort === 'xhigh' || effort === 'max' ? 'high' : effort;
}

function decodeOutputFormat(value: unknown): Record<string, unknown> | undefined {
  const format = optionalRecord(value, 'output_config.format');
  if (format === undefined) return undefined;
  requireOneOf(format['type'], ['json_schema'] as const, 'output_config.format.type');
  const schema = optionalRecord(format['schema'], 'output_config.format.schema');
  if (schema === undefined) throw fieldError('output_config.format.schema', 'Field required');
  return schema;
}

/**
 * Top-level `cache_control` asks Anthropic to place the breakpoint on the last cacheable block;
 * it is written onto that block here so every provider with prompt caching sees it in place.
 */
function markLastCacheablePart(messages: UnifiedMessage[], cacheControl: CacheControl): void {
  for (let m = messages.length - 1; m >= 0; m--) {
    const content: ContentPart[] = messages[m]?.content ?? [];
    for (let p = content.length - 1; p >= 0; p--) {
      const part = content[p];
      if (
        part !== undefined &&
        (part.type === 'text' || part.type === 'image' || part.type === 'document' || part.type === 'tool_result')
      ) {
        part.cacheControl ??= cacheControl;
        return;
      }
    }
  }
}
