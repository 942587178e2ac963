import type { Usage } from '@switchyard/compiler';
import type { ReasoningPart, TextPart, ToolCallPart } from './chat-request.js';

export type { Usage };

/**
 * Why generation ended. `stop` with a `stopSequence` means a stop sequence matched
 * (Anthropic `stop_sequence`); `refusal` is a model-level refusal (Anthropic), which
 * OpenAI-shaped front doors report as `content_filter`.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'refusal' | 'error' | 'other';

/** A hosted MCP server's tools as the gateway offered them to the model (Responses `mcp_list_tools`). */
export interface HostedToolListPart {
  type: 'hosted_tool_list';
  /** The label the caller used for the server. */
  server: string;
  tools: HostedToolDescription[];
  /** Why the server could not list its tools (then `tools` is empty). */
  error?: string;
}

export interface HostedToolDescription {
  /** The server's own tool name (no gateway prefix). */
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** The outcome of a hosted tool call, as its result or its failure. */
export interface HostedToolOutcome {
  /** The result's text (text content joined; other content as JSON). */
  output: string;
  /** `tool`: the tool answered `isError`; `protocol`: the call did not run (refused, unknown, upstream down). */
  error?: { kind: 'tool'; content: unknown[] } | { kind: 'protocol'; code: number; message: string };
}

/** A tool call the gateway ran for the model (Responses `mcp_call`, Anthropic `mcp_tool_use` + `mcp_tool_result`). */
export interface HostedToolCallPart extends HostedToolOutcome {
  type: 'hosted_tool_call';
  /** The model's call id. */
  id: string;
  server: string;
  /** The server's own tool name. */
  name: string;
  /** JSON text of the arguments, as the model produced them. */
  arguments: string;
}

export type OutputPart = TextPart | ToolCallPart | ReasoningPart;

/** What the gateway reports of hosted tools, in order, ahead of the answer's content. */
export type HostedToolReport = HostedToolListPart | HostedToolCallPart;

export interface UnifiedChatResponse {
  /** Upstream response id where the provider gave one. */
  id: string;
  /** Provider-side model id that answered. */
  model: string;
  /** Unix seconds. */
  created: number;
  content: OutputPart[];
  /**
   * The listings and calls of the MCP servers the caller named (request.hostedMcp), in the order
   * they happened, all before `content`; front doors with such items write them (Responses
   * `mcp_list_tools` / `mcp_call`, Anthropic `mcp_tool_use` / `mcp_tool_result`), others ignore them.
   */
  hosted?: HostedToolReport[];
  finishReason: FinishReason;
  stopSequence?: string;
  usage: Usage;
}

export interface UnifiedEmbeddingsResponse {
  model: string;
  embeddings: number[][];
  usage: { inputTokens: number };
}
