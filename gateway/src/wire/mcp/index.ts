// The Model Context Protocol: JSON-RPC messages and protocol versions, for the `/mcp` endpoint
// and for the gateway's client of upstream MCP servers.

export {
  JSON_RPC_ERRORS,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
  MCP_STATEFUL_VERSION,
  MCP_STATELESS_VERSION,
  MCP_SUPPORTED_VERSIONS,
  META_CLIENT_CAPABILITIES,
  META_CLIENT_INFO,
  META_PROTOCOL_VERSION,
  McpWireError,
  decodeJsonRpcResponse,
  decodeMcpMessage,
  decodeToolsListResult,
  encodeJsonRpcError,
  encodeJsonRpcNotification,
  encodeJsonRpcRequest,
  encodeJsonRpcResult,
  metaProtocolVersion,
  toolErrorResult,
  type JsonRpcId,
  type JsonRpcOutcome,
  type McpClientMessage,
  type McpToolDefinition,
} from './mcp-messages.js';
