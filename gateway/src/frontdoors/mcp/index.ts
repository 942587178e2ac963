// The MCP front door: `POST /mcp` and `GET /mcp`, the streamable HTTP transport of the Model
// Context Protocol, run by the pipeline's `mcp` operation (pipeline/mcp-operation.ts). GET opens
// a 2025-11-25 session's stream of list-change notifications. DELETE (ending a session) is
// answered 405, which the transport permits: sessions are signed tokens that cannot be ended
// early (mcp/session-token.ts). Errors before a JSON-RPC message is read (a bad key, a body too
// large) are JSON-RPC errors with a null id.
import type { GatewayError } from '../../errors/gateway-error.js';
import type { EncodedError } from '../../unified/front-door-codec.js';
import { encodeJsonRpcError, JSON_RPC_ERRORS } from '../../wire/mcp/index.js';
import type { FrontDoorDeclaration, McpFrontDoor } from '../front-door.js';

const MCP_PATH = '/mcp';

function encodeMcpError(error: GatewayError): EncodedError {
  const code = error.status >= 500 ? JSON_RPC_ERRORS.internalError : JSON_RPC_ERRORS.invalidRequest;
  const headers: Record<string, string> = { ...error.headers, 'content-type': 'application/json' };
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="switchyard"';
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return { status: error.status, headers, body: encodeJsonRpcError(null, code, error.message) };
}

const mcpFrontDoor: McpFrontDoor = { encodeError: encodeMcpError };

export const mcpFrontDoorDeclaration: FrontDoorDeclaration = {
  endpoints: [
    // GET first: the Allow header lists the methods in declaration order (GET, HEAD, POST).
    { method: 'GET', path: MCP_PATH, operation: 'mcp', frontDoor: mcpFrontDoor },
    { method: 'POST', path: MCP_PATH, operation: 'mcp', frontDoor: mcpFrontDoor },
  ],
  root: `${MCP_PATH}/`,
  encodeError: encodeMcpError,
};
