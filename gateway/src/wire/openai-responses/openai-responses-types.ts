// Wire shapes of OpenAI's Responses API (`POST /v1/responses`) as far as Switchyard writes them:
// the `response` object, its output items and the streaming events. Field names and required
// members follow the official OpenAPI spec (components.schemas.Response, ResponseStreamEvent),
// which the tests validate every encoded value against.

type ResponsesStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';
export type ResponsesItemStatus = 'in_progress' | 'completed' | 'incomplete';

interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

interface ResponsesRefusal {
  type: 'refusal';
  refusal: string;
}

export type ResponsesMessageContent = ResponsesOutputText | ResponsesRefusal;

interface ResponsesOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ResponsesItemStatus;
  content: ResponsesMessageContent[];
}

interface ResponsesFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: ResponsesItemStatus;
}

interface ResponsesSummaryText {
  type: 'summary_text';
  text: string;
}

export interface ResponsesReasoningItem {
  type: 'reasoning';
  id: string;
  summary: ResponsesSummaryText[];
  status: ResponsesItemStatus;
  /** Only when the caller asked with `include: ["reasoning.encrypted_content"]`. */
  encrypted_content?: string | null;
}

/** A hosted MCP server's tools, as the gateway offered them to the model (components.schemas.MCPListTools). */
export interface ResponsesMcpListTools {
  type: 'mcp_list_tools';
  id: string;
  server_label: string;
  tools: Array<{
    name: string;
    description: string | null;
    input_schema: Record<string, unknown>;
    annotations: Record<string, unknown> | null;
  }>;
  error: string | null;
}

/** MCPToolCallError: the tool answered isError (its content), or the call did not run (a JSON-RPC code and message). */
export type ResponsesMcpCallError =
  | { type: 'mcp_tool_execution_error'; content: unknown[] }
  | { type: 'mcp_protocol_error'; code: number; message: string };

/** A call the gateway ran on a hosted MCP server (components.schemas.MCPToolCall). */
export interface ResponsesMcpCall {
  type: 'mcp_call';
  id: string;
  server_label: string;
  name: string;
  arguments: string;
  output: string | null;
  error: ResponsesMcpCallError | null;
  status: 'in_progress' | 'completed' | 'incomplete' | 'calling' | 'failed';
}

export type ResponsesOutputItem =
  | ResponsesOutputMessage
  | ResponsesFunctionCall
  | ResponsesReasoningItem
  | ResponsesMcpListTools
  | ResponsesMcpCall;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The `error` member of a failed response; codes are the spec's ResponseErrorCode enum. */
export interface ResponsesError {
  code: 'server_error' | 'rate_limit_exceeded';
  message: string;
}

interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

/** An `mcp` tool as the response echoes it. */
export interface ResponsesMcpTool {
  type: 'mcp';
  server_label: string;
  server_url?: string;
  allowed_tools: string[] | { tool_names?: string[]; read_only?: boolean } | null;
  require_approval: 'never';
}

export type ResponsesTool = ResponsesFunctionTool | ResponsesMcpTool;

export type ResponsesToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: Array<Record<string, unknown>> };

export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict: boolean | null; description?: string };

export interface ResponsesReasoningConfig {
  effort: string | null;
  summary: string | null;
}

export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  completed_at: number | null;
  background: boolean;
  error: ResponsesError | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: ResponsesReasoningConfig | null;
  store: boolean;
  temperature: number | null;
  text: { format: ResponsesTextFormat };
  tool_choice: ResponsesToolChoice;
  tools: ResponsesTool[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  /** Absent until the model has answered (the spec's schema does not allow null). */
  usage?: ResponsesUsage;
  user?: string;
  safety_identifier?: string;
  metadata: Record<string, string>;
}

type ResponsesContentPart = ResponsesOutputText | ResponsesRefusal;

/** Streaming events, without `sequence_number`, which the encoder numbers as it writes them. */
export type ResponsesStreamEvent =
  | {
      type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed';
      response: ResponsesResponse;
    }
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: ResponsesOutputItem }
  | {
      type: 'response.content_part.added' | 'response.content_part.done';
      item_id: string;
      output_index: number;
      content_index: number;
      part: ResponsesContentPart;
    }
  | { type: 'response.output_text.delta'; item_id: string; output_index: number; content_index: number; delta: string; logprobs: unknown[] }
  | { type: 'response.output_text.done'; item_id: string; output_index: number; content_index: number; text: string; logprobs: unknown[] }
  | { type: 'response.refusal.delta'; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.refusal.done'; item_id: string; output_index: number; content_index: number; refusal: string }
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; name: string; arguments: string }
  | { type: 'response.mcp_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.mcp_call_arguments.done'; item_id: string; output_index: number; arguments: string }
  | {
      type:
        | 'response.mcp_call.in_progress'
        | 'response.mcp_call.completed'
        | 'response.mcp_call.failed'
        | 'response.mcp_list_tools.in_progress'
        | 'response.mcp_list_tools.completed';
      item_id: string;
      output_index: number;
    }
  | {
      type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
      item_id: string;
      output_index: number;
      summary_index: number;
      part: ResponsesSummaryText;
    }
  | { type: 'response.reasoning_summary_text.delta'; item_id: string; output_index: number; summary_index: number; delta: string }
  | { type: 'response.reasoning_summary_text.done'; item_id: string; output_index: number; summary_index: number; text: string }
  | {
      type: 'error';
      code: string | null;
      message: string;
      param: string | null;
      /** Not in the spec's event schema, but what OpenAI sends and what the SDKs throw on. */
      error: { type: string; code: string | null; message: string; param: string | null };
    };
