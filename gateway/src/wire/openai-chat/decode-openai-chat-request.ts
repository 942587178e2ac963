// POST /v1/chat/completions body -> UnifiedChatRequest.
//
// Parameters without a unified meaning are handled in one of two ways, documented in
// docs/providers/openai.md:
// - ignored, because dropping them cannot change the shape of the answer a client parses:
//   store, metadata, service_tier, prompt_cache_key, prompt_cache_retention, prompt_cache_options,
//   (metadata's string entries and prompt_cache_key are kept as routing hints; prompt_cache_key and
//   prompt_cache_retention are also forwarded to providers that take them, OpenAI and Azure
//   OpenAI; metadata never is)
//   verbosity, logit_bias, prediction, moderation, stream_options.include_obfuscation,
//   modalities: ["text"], top_logprobs when logprobs is not requested, and any unknown field;
// - refused with a 400 naming the parameter, because a client asking for them expects output the
//   gateway cannot produce: n > 1, logprobs: true, audio / modalities with "audio",
//   web_search_options, functions / function_call (deprecated), custom tools, allowed_tools.

import { invalidRequest } from '../../errors/gateway-error.js';
import { carryPromptCacheRetention } from './prompt-cache-retention.js';
import type { JsonRecord } from '@switchyard/compiler';
import type {
  ReasoningOptions,
  ResponseFormat,
  RoutingHints,
  ToolChoice,
  UnifiedChatRequest,
  UnifiedTool,
} from '../../unified/chat-request.js';
import { decodeOpenAIMessages } from './decode-openai-messages.js';
import {
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireOneOf,
  requireRecord,
} from '../request-fields/index.js';

// Number rules, made once rather than as literals on every request.
const POSITIVE_INTEGER = { integer: true, min: 1 } as const;
const INTEGER = { integer: true } as const;
const TEMPERATURE_RANGE = { min: 0, max: 2 } as const;
const UNIT_RANGE = { min: 0, max: 1 } as const;
const PENALTY_RANGE = { min: -2, max: 2 } as const;

interface DecodedOpenAIChatRequest {
  request: UnifiedChatRequest;
  /** `stream_options.include_usage`: the caller wants a final usage chunk. */
  includeUsage: boolean;
}

export function decodeOpenAIChatRequest(body: unknown, pathModel?: string): DecodedOpenAIChatRequest {
  const b = requireRecord(body, 'body');
  rejectUnsupported(b);

  const model = b.model === undefined || b.model === null ? pathModel : requireNonEmptyString(b.model, 'model');
  if (model === undefined) throw invalidRequest("Missing required parameter: 'model'", 'model');

  const request: UnifiedChatRequest = {
    model,
    messages: decodeOpenAIMessages(b.messages),
    stream: optionalBoolean(b.stream, 'stream') ?? false,
  };

  const tools = decodeTools(b.tools);
  if (tools) request.tools = tools;
  const toolChoice = decodeToolChoice(b.tool_choice);
  if (toolChoice) request.toolChoice = toolChoice;
  const parallelToolCalls = optionalBoolean(b.parallel_tool_calls, 'parallel_tool_calls');
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;
  const responseFormat = decodeResponseFormat(b.response_format);
  if (responseFormat) request.responseFormat = responseFormat;

  // max_completion_tokens replaced max_tokens; when a caller sends both, the newer one wins.
  const maxCompletionTokens = optionalNumber(b.max_completion_tokens, 'max_completion_tokens', POSITIVE_INTEGER);
  const maxTokens = optionalNumber(b.max_tokens, 'max_tokens', POSITIVE_INTEGER);
  const maxOutputTokens = maxCompletionTokens ?? maxTokens;
  if (maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;

  assign(request, 'temperature', optionalNumber(b.temperature, 'temperature', TEMPERATURE_RANGE));
  assign(request, 'topP', optionalNumber(b.top_p, 'top_p', UNIT_RANGE));
  assign(request, 'seed', optionalNumber(b.seed, 'seed', INTEGER));
  assign(request, 'frequencyPenalty', optionalNumber(b.frequency_penalty, 'frequency_penalty', PENALTY_RANGE));
  assign(request, 'presencePenalty', optionalNumber(b.presence_penalty, 'presence_penalty', PENALTY_RANGE));
  // safety_identifier is OpenAI's successor to `user`; both name the end user.
  assign(request, 'user', optionalString(b.user, 'user') ?? optionalString(b.safety_identifier, 'safety_identifier'));
  const stop = decodeStop(b.stop);
  if (stop) request.stopSequences = stop;
  const reasoning = decodeReasoningEffort(b.reasoning_effort);
  if (reasoning) request.reasoning = reasoning;

  const routingHints = decodeRoutingHints(b);
  if (routingHints !== undefined) request.routingHints = routingHints;
  carryPromptCacheRetention(request, b.prompt_cache_retention);

  let includeUsage = false;
  if (b.stream_options !== undefined && b.stream_options !== null) {
    const options = requireRecord(b.stream_options, 'stream_options');
    includeUsage = optionalBoolean(options.include_usage, 'stream_options.include_usage') ?? false;
  }
  return { request, includeUsage };
}

/** Most metadata entries kept for routing rules (OpenAI allows 16). */
const MAX_METADATA_ENTRIES = 16;
const MAX_HINT_CHARS = 512;

/**
 * `metadata` and `prompt_cache_key` as routing hints. These fields were always ignored, so a
 * malformed one is still ignored rather than refused: only string values of bounded length count.
 */
function decodeRoutingHints(b: JsonRecord): RoutingHints | undefined {
  const hints: RoutingHints = {};
  if (typeof b.prompt_cache_key === 'string' && b.prompt_cache_key.length > 0 && b.prompt_cache_key.length <= MAX_HINT_CHARS)
    hints.promptCacheKey = b.prompt_cache_key;
  if (b.metadata !== null && typeof b.metadata === 'object' && !Array.isArray(b.metadata)) {
    const metadata: Record<string, string> = {};
    let count = 0;
    for (const [name, value] of Object.entries(b.metadata as Record<string, unknown>)) {
      if (count >= MAX_METADATA_ENTRIES) break;
      if (typeof value !== 'string' || value.length > MAX_HINT_CHARS || name.length > MAX_HINT_CHARS) continue;
      metadata[name] = value;
      count += 1;
    }
    if (count > 0) hints.metadata = metadata;
  }
  return hints.metadata === undefined && hints.promptCacheKey === undefined ? undefined : hints;
}

function assign<K extends 'temperature' | 'topP' | 'seed' | 'frequencyPenalty' | 'presencePenalty' | 'user'>(
  request: UnifiedChatRequest,
  key: K,
  value: UnifiedChatRequest[K] | undefined,
): void {
  if (value !== undefined) request[key] = value;
}

function rejectUnsupported(b: JsonRecord): void {
  const n = optionalNumber(b.n, 'n', POSITIVE_INTEGER);
  if (n !== undefined && n !== 1) throw invalidRequest("'n': only n=1 is supported", 'n');
  if (optionalBoolean(b.logprobs, 'logprobs') === true) throw invalidRequest("'logprobs' is not supported by this gateway", 'logprobs');
  if (b.audio !== undefined && b.audio !== null) throw invalidRequest("'audio' output is not supported by this gateway", 'audio');
  if (b.modalities !== undefined && b.modalities !== null) {
    const modalities = requireArray(b.modalities, 'modalities');
    if (modalities.some((m) => m !== 'text')) throw invalidRequest('\'modalities\': only ["text"] is supported', 'modalities');
  }
  if (b.web_search_options !== undefined && b.web_search_options !== null) {
    throw invalidRequest("'web_search_options' is not supported by this gateway", 'web_search_options');
  }
  if (b.functions !== undefined && b.functions !== null) {
    throw invalidRequest("'functions' is deprecated and not supported; use 'tools'", 'functions');
  }
  if (b.function_call !== undefined && b.function_call !== null) {
    throw invalidRequest("'function_call' is deprecated and not supported; use 'tool_choice'", 'function_call');
  }
}

function decodeTools(value: unknown): UnifiedTool[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = requireArray(value, 'tools');
  if (items.length === 0) return undefined;
  return items.map((item, i) => {
    const path = `tools[${i}]`;
    const tool = requireRecord(item, path);
    if (tool.type !== 'function')
      throw invalidRequest(`'${path}.type' must be 'function' (custom tools are not supported)`, `${path}.type`);
    const fn = requireRecord(tool.function, `${path}.function`);
    const decoded: UnifiedTool = {
      name: requireNonEmptyString(fn.name, `${path}.function.name`),
      parameters:
        fn.parameters === undefined || fn.parameters === null
          ? { type: 'object', properties: {} }
          : requireRecord(fn.parameters, `${path}.function.parameters`),
    };
    const description = optionalString(fn.description, `${path}.function.description`);
    if (description !== undefined) decoded.description = description;
    const strict = optionalBoolean(fn.strict, `${path}.function.strict`);
    if (strict !== undefined) decoded.strict = strict;
    return decoded;
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    return { type: requireOneOf(value, ['auto', 'none', 'required'] as const, 'tool_choice') };
  }
  const choice = requireRecord(value, 'tool_choice');
  if (choice.type === 'function') {
    const fn = requireRecord(choice.function, 'tool_choice.function');
    return { type: 'tool', name: requireNonEmptyString(fn.name, 'tool_choice.function.name') };
  }
  throw invalidRequest(
    '\'tool_choice\' must be \'auto\', \'none\', \'required\' or {"type": "function", "function": {"name": ...}}',
    'tool_choice',
  );
}

function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const format = requireRecord(value, 'response_format');
  const type = requireOneOf(format.type, ['text', 'json_object', 'json_schema'] as const, 'response_format.type');
  if (type !== 'json_schema') return { type };
  const spec = requireRecord(format.json_schema, 'response_format.json_schema');
  const name = requireNonEmptyString(spec.name, 'response_format.json_schema.name');
  // A json_schema format without a schema constrains nothing beyond "valid JSON".
  if (spec.schema === undefined || spec.schema === null) return { type: 'json_object' };
  const decoded: ResponseFormat = { type: 'json_schema', name, schema: requireRecord(spec.schema, 'response_format.json_schema.schema') };
  const strict = optionalBoolean(spec.strict, 'response_format.json_schema.strict');
  if (strict !== undefined) decoded.strict = strict;
  const description = optionalString(spec.description, 'response_format.json_schema.description');
  if (description !== undefined) decoded.description = description;
  return decoded;
}

function decodeStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  const items = requireArray(value, 'stop');
  const stops = items.map((item, i) => {
    if (typeof item !== 'string') throw invalidRequest(`'stop[${i}]' must be a string`, `stop[${i}]`);
    return item;
  });
  return stops.length === 0 ? undefined : stops;
}

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;

/**
 * OpenAI's effort scale is wider than the unified one: `none` leaves reasoning unset (the
 * provider's default, which for non-reasoning models is none), `xhigh` and `max` clamp to `high`.
 */
function decodeReasoningEffort(value: unknown): ReasoningOptions | undefined {
  if (value === undefined || value === null) return undefined;
  const effort = requireOneOf(value, EFFORTS, 'reasoning_effort');
  if (effort === 'none') return undefined;
  if (effort === 'xhigh' || effort === 'max') return { effort: 'high' };
  return { effort };
}
