import type { FinishReason } from '../../unified/chat-response.js';
import type { OpenAIFinishReason } from './openai-chat-types.js';

/**
 * Upstream finish_reason -> unified. Besides OpenAI's values this covers what compatible
 * providers send: Mistral `model_length` and `error`, DeepSeek `insufficient_system_resource`,
 * vLLM/Ollama `abort`.
 */
export function finishReasonFromOpenAI(value: unknown): FinishReason {
  switch (value) {
    case 'stop':
    case 'eos':
    case 'end_turn':
      return 'stop';
    case 'length':
    case 'model_length':
    case 'max_tokens':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'error':
    case 'insufficient_system_resource':
    case 'abort':
      return 'error';
    default:
      return 'other';
  }
}

/**
 * Unified -> the finish_reason an OpenAI client accepts. A refusal is reported as
 * `content_filter`; reasons OpenAI has no word for (`error`, `other`) become `stop`, the value
 * clients treat as "generation ended" without implying truncation or tool use.
 */
export function openAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    case 'content_filter':
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
