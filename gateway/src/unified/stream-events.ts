import type { Usage } from '@switchyard/compiler';
import type { FinishReason, HostedToolDescription, HostedToolOutcome } from './chat-response.js';

/**
 * Provider stream decoders emit these; front-door stream encoders consume them. Tool calls are
 * numbered 0..n in the order they start. `finish` and `usage` may come in either order
 * (OpenAI sends usage in a chunk after the finish reason), so encoders emit their closing
 * frames only when the upstream stream ends.
 */
export type UnifiedStreamEvent =
  | { type: 'response_start'; id: string; model: string; created: number }
  | { type: 'text_delta'; text: string }
  | { type: 'reasoning_delta'; text: string }
  | { type: 'reasoning_signature'; signature: string }
  | { type: 'reasoning_redacted'; data: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; stopSequence?: string }
  | { type: 'usage'; usage: Usage }
  // Hosted tools (docs/mcp.md, "Hosted tools"): only when the caller asked through its front door;
  // encoders without such items (Chat Completions, Gemini) write nothing for them.
  | { type: 'hosted_tool_list'; server: string; tools: HostedToolDescription[]; error?: string }
  | { type: 'hosted_tool_call'; id: string; server: string; name: string; arguments: string }
  | ({ type: 'hosted_tool_result'; id: string } & HostedToolOutcome);
