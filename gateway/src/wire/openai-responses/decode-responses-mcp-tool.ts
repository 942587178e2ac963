// A Responses `mcp` tool -> the MCP server the caller asks the gateway to run tools from
// (docs/mcp.md, "Hosted tools"). The gateway runs the loop itself, on any provider: the model sees
// the server's tools as function tools and the answer reports `mcp_list_tools` and `mcp_call`
// items. `server_label` names an MCPServer the caller's key may use (resolved by the pipeline).
//
// Refused with a 400 naming the field, because the caller would expect something the gateway does
// not do: `require_approval` other than "never" (approval requests are not supported: the calls the
// key's allowedTools permit run without asking), `connector_id` and `tunnel_id` (OpenAI's own
// connectors), `authorization` and `headers` (the gateway calls MCPServers with their own
// credentials, never the caller's). `server_url` is accepted only when it is the URL of the
// MCPServer `server_label` names (checked by the pipeline). Ignored: `server_description`,
// `allowed_callers`, `defer_loading`.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { JsonRecord } from '@switchyard/compiler';
import type { HostedMcpServer } from '../../unified/chat-request.js';
import type { ResponsesMcpTool } from './openai-responses-types.js';
import {
  isAbsent,
  optionalBoolean,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireRecord,
  requireString,
} from '../request-fields/index.js';

export function decodeResponsesMcpTool(tool: JsonRecord, path: string): { server: HostedMcpServer; echo: ResponsesMcpTool } {
  const label = requireNonEmptyString(tool.server_label, `${path}.server_label`);
  for (const field of ['connector_id', 'tunnel_id'] as const) {
    if (!isAbsent(tool[field]))
      throw invalidRequest(
        `'${path}.${field}': OpenAI's connectors and tunnels are not supported by this gateway; name one of the gateway's MCPServers in server_label`,
        `${path}.${field}`,
      );
  }
  for (const field of ['authorization', 'headers'] as const) {
    if (!isAbsent(tool[field]))
      throw invalidRequest(
        `'${path}.${field}': this gateway calls MCP servers with their own credentials (the MCPServer's spec.auth), never the caller's; leave it out`,
        `${path}.${field}`,
      );
  }
  if (tool.require_approval !== 'never')
    throw invalidRequest(
      `'${path}.require_approval': approval requests are not supported by this gateway; send "never" (the calls the key's allowedTools permit run without asking)`,
      `${path}.require_approval`,
    );
  const server: HostedMcpServer = { label, field: path, labelField: 'server_label' };
  const url = optionalString(tool.server_url, `${path}.server_url`);
  if (url !== undefined) {
    server.url = url;
    server.urlField = 'server_url';
  }
  const echo: ResponsesMcpTool = { type: 'mcp', server_label: label, allowed_tools: null, require_approval: 'never' };
  if (url !== undefined) echo.server_url = url;
  if (!isAbsent(tool.allowed_tools)) {
    const allowedPath = `${path}.allowed_tools`;
    if (Array.isArray(tool.allowed_tools)) {
      server.allowedTools = requireArray(tool.allowed_tools, allowedPath).map((name, i) => requireString(name, `${allowedPath}[${i}]`));
      echo.allowed_tools = server.allowedTools;
    } else {
      const filter = requireRecord(tool.allowed_tools, allowedPath);
      const echoed: { tool_names?: string[]; read_only?: boolean } = {};
      if (!isAbsent(filter.tool_names)) {
        server.allowedTools = requireArray(filter.tool_names, `${allowedPath}.tool_names`).map((name, i) =>
          requireString(name, `${allowedPath}.tool_names[${i}]`),
        );
        echoed.tool_names = server.allowedTools;
      }
      const readOnly = optionalBoolean(filter.read_only, `${allowedPath}.read_only`);
      if (readOnly !== undefined) {
        server.readOnly = readOnly;
        echoed.read_only = readOnly;
      }
      echo.allowed_tools = echoed;
    }
  }
  return { server, echo };
}
