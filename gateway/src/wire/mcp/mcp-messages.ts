// The Model Context Protocol's JSON-RPC messages as the gateway speaks them in both directions:
// as the server of `/mcp` (decoding what clients send, encoding answers) and as the client of
// upstream MCP servers (encoding requests, decoding their answers). Two protocol revisions:
// 2025-11-25 (initialize handshake, `Mcp-Session-Id`) and 2026-07-28 (stateless: every request
// carries its version and client capabilities in `_meta`; `server/discover` replaces initialize).
// Specification: https://modelcontextprotocol.io/specification
import { isRecord } from '@switchyard/compiler';

/** The stateful revision: initialize, notifications/initialized, `Mcp-Session-Id`. */
export const MCP_STATEFUL_VERSION = '2025-11-25';
/** The stateless revision: `server/discover`, per-request `_meta`, no session. */
export const MCP_STATELESS_VERSION = '2026-07-28';
/** Newest first: what `server/discover` lists and what the gateway prefers upstream. */
export const MCP_SUPPORTED_VERSIONS: readonly string[] = [MCP_STATELESS_VERSION, MCP_STATEFUL_VERSION];

/** `_meta` keys every 2026-07-28 request carries. */
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';

/** HTTP headers of the streamable HTTP transport. */
export const MCP_SESSION_HEADER = 'mcp-session-id';
export const MCP_PROTOCOL_VERSION_HEADER = 'mcp-protocol-version';

/** JSON-RPC 2.0 error codes (https://www.jsonrpc.org/specification#error_object). */
export const JSON_RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const;

export type JsonRpcId = string | number;

export type McpClientMessage =
  | { readonly kind: 'request'; readonly id: JsonRpcId; readonly method: string; readonly params: Record<string, unknown> }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Record<string, unknown> }
  /** A client's answer to a server request; the gateway sends none, so it only acknowledges these. */
  | { readonly kind: 'response'; readonly id: JsonRpcId };

/** A message the gateway cannot take, with the JSON-RPC code its error answer carries. */
export class McpWireError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly id: JsonRpcId | null = null,
  ) {
    super(message);
    this.name = 'McpWireError';
  }
}

function jsonRpcId(value: unknown): JsonRpcId | undefined {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
}

/** A parsed JSON body from a client as one JSON-RPC message (batches were removed from MCP in 2025-06-18). */
export function decodeMcpMessage(body: Record<string, unknown>): McpClientMessage {
  const id = jsonRpcId(body.id);
  if (body.jsonrpc !== '2.0') throw new McpWireError(JSON_RPC_ERRORS.invalidRequest, 'jsonrpc must be "2.0"', id ?? null);
  if (body.method === undefined && ('result' in body || 'error' in body)) {
    if (id === undefined) throw new McpWireError(JSON_RPC_ERRORS.invalidRequest, 'a response needs a string or number id');
    return { kind: 'response', id };
  }
  if (typeof body.method !== 'string' || body.method.length === 0)
    throw new McpWireError(JSON_RPC_ERRORS.invalidRequest, 'method must be a non-empty string', id ?? null);
  if (body.params !== undefined && !isRecord(body.params))
    throw new McpWireError(JSON_RPC_ERRORS.invalidParams, 'params must be an object', id ?? null);
  const params = (body.params as Record<string, unknown> | undefined) ?? {};
  if (body.id === undefined) return { kind: 'notification', method: body.method, params };
  if (id === undefined) throw new McpWireError(JSON_RPC_ERRORS.invalidRequest, 'id must be a string or a number');
  return { kind: 'request', id, method: body.method, params };
}

export function encodeJsonRpcResult(id: JsonRpcId, result: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

export function encodeJsonRpcError(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });
}

export function encodeJsonRpcRequest(id: JsonRpcId, method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

export function encodeJsonRpcNotification(method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

/** The protocol version a 2026-07-28-style request names in `_meta`; undefined when it names none. */
export function metaProtocolVersion(params: Record<string, unknown>): string | undefined {
  const meta = params._meta;
  if (!isRecord(meta)) return undefined;
  const version = meta[META_PROTOCOL_VERSION];
  return typeof version === 'string' ? version : undefined;
}

/** What an upstream answered to one request: its result, or its JSON-RPC error. */
export type JsonRpcOutcome =
  | { readonly result: Record<string, unknown> }
  | { readonly error: { readonly code: number; readonly message: string; readonly data?: unknown } };

/** An upstream's JSON-RPC response to request `id`; undefined when `message` is something else (a notification, another id). */
export function decodeJsonRpcResponse(message: unknown, id: JsonRpcId): JsonRpcOutcome | undefined {
  if (!isRecord(message) || message.id !== id || message.method !== undefined) return undefined;
  if (isRecord(message.result)) return { result: message.result };
  const error = message.error;
  if (isRecord(error)) {
    return {
      error: {
        code: typeof error.code === 'number' ? error.code : JSON_RPC_ERRORS.internalError,
        message: typeof error.message === 'string' ? error.message : 'upstream error without a message',
        ...(error.data === undefined ? {} : { data: error.data }),
      },
    };
  }
  return { error: { code: JSON_RPC_ERRORS.internalError, message: 'upstream answered without a result or an error' } };
}

/** One tool as an upstream lists it; fields other than `name` pass through untouched. */
export interface McpToolDefinition extends Record<string, unknown> {
  readonly name: string;
}

/** A `tools/list` result's tools (entries without a string name are dropped) and its cursor. */
export function decodeToolsListResult(result: Record<string, unknown>): { tools: McpToolDefinition[]; nextCursor: string | undefined } {
  const tools: McpToolDefinition[] = [];
  if (Array.isArray(result.tools)) {
    for (const tool of result.tools)
      if (isRecord(tool) && typeof tool.name === 'string' && tool.name.length > 0) tools.push(tool as McpToolDefinition);
  }
  return { tools, nextCursor: typeof result.nextCursor === 'string' && result.nextCursor.length > 0 ? result.nextCursor : undefined };
}

/** A `tools/call` result that reports a failure to the model (`isError`), in the protocol's shape. */
export function toolErrorResult(text: string): Record<string, unknown> {
  return { content: [{ type: 'text', text }], isError: true };
}
