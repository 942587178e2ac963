// Hosted tool calls -> the MCP connector's content blocks (`mcp_tool_use`, then its
// `mcp_tool_result`), for answers to requests that named `mcp_servers`. The gateway ran the
// tools (docs/mcp.md, "Hosted tools"); these blocks tell the caller what ran and what it said,
// in the shapes Anthropic's MCP connector uses. A listing has no block of its own in this format.

import type { HostedToolCallPart, HostedToolReport } from '../../unified/chat-response.js';
import type { AnthropicMcpToolResultBlock, AnthropicMcpToolUseBlock } from './anthropic-messages-types.js';
import { parseToolCallInput } from './tool-call-input.js';

/** Where a call's arguments go when the model's were not a JSON object (`input` must be one). */
const RAW_MCP_ARGUMENTS_KEY = '_switchyard_raw_arguments';

export function mcpToolUseBlock(call: { id: string; server: string; name: string; arguments: string }): AnthropicMcpToolUseBlock {
  const parsed = parseToolCallInput(call.arguments);
  return {
    type: 'mcp_tool_use',
    id: call.id,
    name: call.name,
    server_name: call.server,
    input: parsed.ok ? parsed.input : { [RAW_MCP_ARGUMENTS_KEY]: call.arguments },
  };
}

export function mcpToolResultBlock(result: Pick<HostedToolCallPart, 'id' | 'output' | 'error'>): AnthropicMcpToolResultBlock {
  return {
    type: 'mcp_tool_result',
    tool_use_id: result.id,
    is_error: result.error !== undefined,
    content: [{ type: 'text', text: result.output }],
  };
}

/** The blocks of the gateway's hosted calls, in the order they ran. */
export function mcpBlocks(reports: readonly HostedToolReport[] | undefined): Array<AnthropicMcpToolUseBlock | AnthropicMcpToolResultBlock> {
  const blocks: Array<AnthropicMcpToolUseBlock | AnthropicMcpToolResultBlock> = [];
  for (const report of reports ?? []) {
    if (report.type === 'hosted_tool_call') blocks.push(mcpToolUseBlock(report), mcpToolResultBlock(report));
  }
  return blocks;
}
