// Hosted tool reports -> the Responses API's `mcp_list_tools` and `mcp_call` output items, for
// answers to requests with `mcp` tools (docs/mcp.md, "Hosted tools"). Shapes follow the official
// OpenAPI spec (components.schemas.MCPListTools, MCPToolCall, MCPToolCallError): a tool that
// answered `isError` is an `mcp_tool_execution_error` carrying its content, a call that did not
// run (refused, unknown tool, upstream down) an `mcp_protocol_error` with its JSON-RPC code.

import type { HostedToolDescription, HostedToolOutcome, HostedToolReport } from '../../unified/chat-response.js';
import type { ResponsesMcpCall, ResponsesMcpCallError, ResponsesMcpListTools } from './openai-responses-types.js';
import { newItemId } from './responses-ids.js';

/** `error`: why the server could not list its tools (OpenAI's item carries it as a string, else null). */
export function mcpListToolsItem(
  id: string,
  server: string,
  tools: readonly HostedToolDescription[],
  error: string | undefined,
): ResponsesMcpListTools {
  return {
    type: 'mcp_list_tools',
    id,
    server_label: server,
    tools: tools.map((tool) => ({
      name: tool.name,
      description: tool.description ?? null,
      input_schema: tool.inputSchema,
      annotations: tool.annotations ?? null,
    })),
    error: error ?? null,
  };
}

/** An `mcp_call` item; without an outcome the call is still running (`in_progress`, no output yet). */
export function mcpCallItem(
  id: string,
  call: { server: string; name: string; arguments: string },
  outcome: HostedToolOutcome | undefined,
): ResponsesMcpCall {
  return {
    type: 'mcp_call',
    id,
    server_label: call.server,
    name: call.name,
    arguments: call.arguments,
    output: outcome === undefined || outcome.error?.kind === 'protocol' ? null : outcome.output,
    error: outcome?.error === undefined ? null : mcpCallError(outcome.error),
    status: outcome === undefined ? 'in_progress' : outcome.error === undefined ? 'completed' : 'failed',
  };
}

function mcpCallError(error: NonNullable<HostedToolOutcome['error']>): ResponsesMcpCallError {
  return error.kind === 'tool'
    ? { type: 'mcp_tool_execution_error', content: error.content }
    : { type: 'mcp_protocol_error', code: error.code, message: error.message };
}

/** Every report as its finished item, in order. */
export function encodeMcpItems(reports: readonly HostedToolReport[] | undefined): Array<ResponsesMcpListTools | ResponsesMcpCall> {
  return (reports ?? []).map((report) =>
    report.type === 'hosted_tool_list'
      ? mcpListToolsItem(newItemId('mcpl'), report.server, report.tools, report.error)
      : mcpCallItem(newItemId('mcp'), report, report),
  );
}
