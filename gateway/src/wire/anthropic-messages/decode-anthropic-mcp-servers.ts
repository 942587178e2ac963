// Messages `mcp_servers` (the MCP connector, beta `mcp-client-2025-04-04`) -> the MCP servers the
// caller asks the gateway to run tools from (docs/mcp.md, "Hosted tools"). The gateway runs the
// loop itself, on any provider: the model sees the servers' tools as function tools and the answer
// carries `mcp_tool_use` and `mcp_tool_result` blocks. `name` names an MCPServer the caller's key
// may use (resolved by the pipeline); the beta header is not required.
//
// `url` is accepted only when it is the URL of the MCPServer `name` names (checked by the
// pipeline): the gateway calls only MCPServers declared as resources. `authorization_token` is
// refused (400): the gateway calls MCPServers with their own credentials, never the caller's.
// `tool_configuration.allowed_tools` narrows the tools offered; `enabled: false` offers none.

import { isAbsent } from '../request-fields/index.js';
import type { HostedMcpServer } from '../../unified/chat-request.js';
import {
  fieldError,
  fieldPath,
  optionalBoolean,
  optionalRecord,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireOneOf,
  requireRecord,
  requireString,
} from './anthropic-request-fields.js';

export function decodeAnthropicMcpServers(value: unknown): HostedMcpServer[] | undefined {
  if (isAbsent(value)) return undefined;
  const servers = requireArray(value, 'mcp_servers').map((entry, i): HostedMcpServer => {
    const path = fieldPath('mcp_servers', i);
    const definition = requireRecord(entry, path);
    requireOneOf(definition['type'], ['url'] as const, fieldPath(path, 'type'));
    const server: HostedMcpServer = {
      label: requireNonEmptyString(definition['name'], fieldPath(path, 'name')),
      field: path,
      labelField: 'name',
    };
    if (!isAbsent(definition['authorization_token']))
      throw fieldError(
        fieldPath(path, 'authorization_token'),
        "this gateway calls MCP servers with their own credentials (the MCPServer's spec.auth), never the caller's; leave it out",
      );
    const url = optionalString(definition['url'], fieldPath(path, 'url'));
    if (url !== undefined && url !== '') {
      server.url = url;
      server.urlField = 'url';
    }
    const configPath = fieldPath(path, 'tool_configuration');
    const config = optionalRecord(definition['tool_configuration'], configPath);
    if (config !== undefined) {
      if (optionalBoolean(config['enabled'], fieldPath(configPath, 'enabled')) === false) server.allowedTools = [];
      else if (!isAbsent(config['allowed_tools'])) {
        const allowedPath = fieldPath(configPath, 'allowed_tools');
        server.allowedTools = requireArray(config['allowed_tools'], allowedPath).map((name, j) =>
          requireString(name, fieldPath(allowedPath, j)),
        );
      }
    }
    return server;
  });
  return servers.length === 0 ? undefined : servers;
}
