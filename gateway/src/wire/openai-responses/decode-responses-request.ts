// POST /v1/responses body -> the unified request for this turn, plus what the front door needs
// beside it: the conversation link (previous_response_id, store), and the request-derived
// members the `response` object echoes. The stored conversation is joined by the front door;
// this module is pure.
//
// Parameters without a unified meaning, documented in docs/frontdoors/responses.md:
// - ignored, because dropping them cannot change the shape of the answer a client parses:
//   service_tier, prompt_cache_key (kept as a routing hint), prompt_cache_retention (both forwarded to
//   OpenAI and Azure OpenAI), prompt_cache_options,
//   safety_identifier beside user, text.verbosity, reasoning.summary (echoed),
//   stream_options, max_tool_calls (built-in tools only), moderation, context_management,
//   include values other than reasoning.encrypted_content and message.output_text.logprobs,
//   truncation (echoed; no truncation happens), and any unknown field;
// - refused with a 400 naming the parameter, because a client asking for them expects work the
//   gateway cannot do: background: true, conversation, prompt, top_logprobs > 0 and
//   include: ["message.output_text.logprobs"], built-in tools other than `mcp` (see
//   decode-responses-tools.ts; `mcp` tools are run by the gateway, decode-responses-mcp-tool.ts).

import { invalidRequest } from '../../errors/gateway-error.js';
import type { JsonRecord } from '@switchyard/compiler';
import type { ResponsesReasoningConfig, ResponsesTool, ResponsesTextFormat, ResponsesToolChoice } from './openai-responses-types.js';
import type { ReasoningOptions, ResponseFormat, UnifiedChatRequest, UnifiedMessage } from '../../unified/chat-request.js';
import {
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireOneOf,
  requireRecord,
  requireString,
} from '../request-fields/index.js';
import { decodeResponsesInput } from './decode-responses-input.js';
import { carryPromptCacheRetention } from '../openai-chat/index.js';
import { decodeResponsesToolChoice, decodeResponsesTools, restrictTools } from './decode-responses-tools.js';

/** The request-derived members of the `response` object. */
interface ResponsesRequestEcho {
  instructions: string | null;
  maxOutputTokens: number | null;
  parallelToolCalls: boolean;
  previousResponseId: string | null;
  reasoning: ResponsesReasoningConfig | null;
  store: boolean;
  temperature: number | null;
  textFormat: ResponsesTextFormat;
  toolChoice: ResponsesToolChoice;
  tools: ResponsesTool[];
  topP: number | null;
  truncation: 'auto' | 'disabled';
  user: string | undefined;
  safetyIdentifier: string | undefined;
  metadata: Record<string, string>;
}

export interface DecodedResponsesRequest {
  /** This turn only: `messages` are the instructions (as a system message) and the input. */
  request: UnifiedChatRequest;
  /** `instructions` as a system message, which leads every turn and is never stored. */
  instructions: UnifiedMessage | undefined;
  /** The input items alone, which a stored conversation keeps (instructions are not carried over). */
  input: UnifiedMessage[];
  previousResponseId: string | undefined;
  /** False only when the caller sent `store: false`. */
  store: boolean;
  includeEncryptedReasoning: boolean;
  echo: ResponsesRequestEcho;
}

export function decodeResponsesRequest(body: unknown): DecodedResponsesRequest {
  const b = requireRecord(body, 'body');
  rejectUnsupported(b);
  if (b.model === undefined || b.model === null) throw invalidRequest("Missing required parameter: 'model'", 'model');
  const model = requireNonEmptyString(b.model, 'model');

  const instructions = optionalString(b.instructions, 'instructions');
  const input = b.input === undefined || b.input === null ? [] : decodeResponsesInput(b.input, new Map());
  const system: UnifiedMessage | undefined =
    instructions === undefined || instructions === '' ? undefined : { role: 'system', content: [{ type: 'text', text: instructions }] };
  const messages = system === undefined ? [...input] : [system, ...input];

  const request: UnifiedChatRequest = { model, messages, stream: optionalBoolean(b.stream, 'stream') ?? false };

  const { tools, hostedMcp, echo: toolsEcho } = decodeResponsesTools(b.tools);
  if (hostedMcp.length > 0) request.hostedMcp = hostedMcp;
  const { choice, allowedToolNames, echo: toolChoiceEcho } = decodeResponsesToolChoice(b.tool_choice);
  const offered = restrictTools(tools, allowedToolNames);
  if (offered.length > 0) request.tools = offered;
  if (choice !== undefined) request.toolChoice = choice;
  const parallelToolCalls = optionalBoolean(b.parallel_tool_calls, 'parallel_tool_calls');
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;

  const { format, echo: textFormatEcho } = decodeTextFormat(b.text);
  if (format !== undefined) request.responseFormat = format;

  const maxOutputTokens = optionalNumber(b.max_output_tokens, 'max_output_tokens', { integer: true, min: 1 });
  if (maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
  const temperature = optionalNumber(b.temperature, 'temperature', { min: 0, max: 2 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(b.top_p, 'top_p', { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;

  // safety_identifier is OpenAI's successor to `user`; both name the end user.
  const user = optionalString(b.user, 'user');
  const safetyIdentifier = optionalString(b.safety_identifier, 'safety_identifier');
  const endUser = user ?? safetyIdentifier;
  if (endUser !== undefined) request.user = endUser;

  const { options: reasoning, echo: reasoningEcho } = decodeReasoning(b.reasoning);
  if (reasoning !== undefined) request.reasoning = reasoning;

  const previousResponseId = optionalString(b.previous_response_id, 'previous_response_id');
  if (previousResponseId === '') throw invalidRequest("'previous_response_id' must not be empty", 'previous_response_id');
  const store = optionalBoolean(b.store, 'store') ?? true;

  // metadata and prompt_cache_key also steer routing (rules, affinity); prompt_cache_key is also
  // forwarded to providers that take it (OpenAI's own API), metadata never is.
  const metadata = decodeMetadata(b.metadata);
  const promptCacheKey = typeof b.prompt_cache_key === 'string' && b.prompt_cache_key.length <= 512 ? b.prompt_cache_key : '';
  if (Object.keys(metadata).length > 0 || promptCacheKey !== '') {
    request.routingHints = {
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      ...(promptCacheKey === '' ? {} : { promptCacheKey }),
    };
  }
  carryPromptCacheRetention(request, b.prompt_cache_retention);

  return {
    request,
    instructions: system,
    input,
    previousResponseId,
    store,
    includeEncryptedReasoning: decodeInclude(b.include).has('reasoning.encrypted_content'),
    echo: {
      instructions: instructions ?? null,
      maxOutputTokens: maxOutputTokens ?? null,
      parallelToolCalls: parallelToolCalls ?? true,
      previousResponseId: previousResponseId ?? null,
      reasoning: reasoningEcho,
      store,
      temperature: temperature ?? null,
      textFormat: textFormatEcho,
      toolChoice: toolChoiceEcho,
      tools: toolsEcho,
      topP: topP ?? null,
      truncation:
        b.truncation === undefined || b.truncation === null
          ? 'disabled'
          : requireOneOf(b.truncation, ['auto', 'disabled'] as const, 'truncation'),
      user,
      safetyIdentifier,
      metadata,
    },
  };
}

function rejectUnsupported(b: JsonRecord): void {
  if (optionalBoolean(b.background, 'background') === true) {
    throw invalidRequest(
      "'background': background responses are not supported by this gateway; send the request without it (streaming keeps long answers flowing)",
      'background',
    );
  }
  if (b.conversation !== undefined && b.conversation !== null) {
    throw invalidRequest(
      "'conversation': OpenAI's Conversations API is not supported by this gateway; continue a conversation with previous_response_id or send the history in 'input'",
      'conversation',
    );
  }
  if (b.prompt !== undefined && b.prompt !== null) {
    throw invalidRequest(
      "'prompt': prompt templates are stored at OpenAI and are not supported by this gateway; send 'instructions' and 'input'",
      'prompt',
    );
  }
  const topLogprobs = optionalNumber(b.top_logprobs, 'top_logprobs', { integer: true, min: 0, max: 20 });
  if (topLogprobs !== undefined && topLogprobs > 0)
    throw invalidRequest("'top_logprobs': log probabilities are not supported by this gateway", 'top_logprobs');
}

const LOGPROBS_INCLUDE = 'message.output_text.logprobs';

function decodeInclude(value: unknown): Set<string> {
  if (value === undefined || value === null) return new Set();
  const values = requireArray(value, 'include').map((entry, i) => requireString(entry, `include[${i}]`));
  if (values.includes(LOGPROBS_INCLUDE))
    throw invalidRequest(
      `'include': ${JSON.stringify(LOGPROBS_INCLUDE)} is not supported by this gateway (no log probabilities)`,
      'include',
    );
  return new Set(values);
}

function decodeTextFormat(value: unknown): { format: ResponseFormat | undefined; echo: ResponsesTextFormat } {
  if (value === undefined || value === null) return { format: undefined, echo: { type: 'text' } };
  const text = requireRecord(value, 'text');
  if (text.format === undefined || text.format === null) return { format: undefined, echo: { type: 'text' } };
  const format = requireRecord(text.format, 'text.format');
  const type = requireOneOf(format.type, ['text', 'json_object', 'json_schema'] as const, 'text.format.type');
  if (type === 'text') return { format: { type: 'text' }, echo: { type: 'text' } };
  if (type === 'json_object') return { format: { type: 'json_object' }, echo: { type: 'json_object' } };
  // Responses puts name and schema beside `type` (Chat Completions nests them in json_schema).
  const name = requireNonEmptyString(format.name, 'text.format.name');
  const schema = requireRecord(format.schema, 'text.format.schema');
  const strict = optionalBoolean(format.strict, 'text.format.strict');
  const description = optionalString(format.description, 'text.format.description');
  const decoded: ResponseFormat = { type: 'json_schema', name, schema };
  if (strict !== undefined) decoded.strict = strict;
  if (description !== undefined) decoded.description = description;
  const echo: ResponsesTextFormat = { type: 'json_schema', name, schema, strict: strict ?? null };
  if (description !== undefined) echo.description = description;
  return { format: decoded, echo };
}

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
const SUMMARIES = ['auto', 'concise', 'detailed'] as const;

/**
 * OpenAI's effort scale is wider than the unified one, mapped as the Chat Completions front door
 * maps `reasoning_effort`: `none` leaves reasoning unset, `xhigh` and `max` clamp to `high`.
 */
function decodeReasoning(value: unknown): { options: ReasoningOptions | undefined; echo: ResponsesReasoningConfig | null } {
  if (value === undefined || value === null) return { options: undefined, echo: null };
  const reasoning = requireRecord(value, 'reasoning');
  const effort =
    reasoning.effort === undefined || reasoning.effort === null ? undefined : requireOneOf(reasoning.effort, EFFORTS, 'reasoning.effort');
  const summary =
    reasoning.summary === undefined || reasoning.summary === null
      ? undefined
      : requireOneOf(reasoning.summary, SUMMARIES, 'reasoning.summary');
  const echo: ResponsesReasoningConfig = { effort: effort ?? null, summary: summary ?? null };
  if (effort === undefined || effort === 'none') return { options: undefined, echo };
  return { options: { effort: effort === 'xhigh' || effort === 'max' ? 'high' : effort }, echo };
}

/** OpenAI's limits: at most 16 pairs, keys up to 64 characters, values up to 512. */
function decodeMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const metadata = requireRecord(value, 'metadata');
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw invalidRequest(`'metadata' may hold at most 16 pairs, got ${entries.length}`, 'metadata');
  const result: Record<string, string> = {};
  for (const [key, entry] of entries) {
    if (key.length > 64)
      throw invalidRequest(
        `'metadata': keys may be at most 64 characters, ${JSON.stringify(key.slice(0, 20))}... has ${key.length}`,
        'metadata',
      );
    const text = requireString(entry, `metadata.${key}`);
    if (text.length > 512) throw invalidRequest(`'metadata.${key}' may be at most 512 characters, got ${text.length}`, `metadata.${key}`);
    result[key] = text;
  }
  return result;
}
