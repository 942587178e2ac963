// The `mcp` operation: the `/mcp` endpoint through the pipeline's own stages. Ingress's size
// check, authenticate (the same headers as the LLM front doors) and the key checks run first, so
// an unauthenticated caller cannot make the gateway parse a body; then the JSON-RPC message is
// read (bounded by --max-body-bytes) and answered by the MCP server (mcp/mcp-server.ts) with the
// MCPServers the table lets the key's namespace reach. Tool calls are admitted by governance's
// rate limiter (`callsPerMinute`) and audited here; respondError and observe are the pipeline's.
// No model is named, so authorize, the response cache and the LLM upstream stages do not apply
// (docs/architecture.md, "The request pipeline").
import type { OutgoingHttpHeaders } from 'node:http';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { buildInfo } from '@switchyard/compiler';
import { GatewayError } from '../errors/gateway-error.js';
import type { FrontDoorEndpoint } from '../frontdoors/front-door.js';
import { openEventStream } from '../mcp/event-stream.js';
import { McpGatewayServer, type McpEndpointOptions, type ToolCallRecord } from '../mcp/mcp-server.js';
import type { McpKeyView } from '../mcp/notification-hub.js';
import { DEFAULT_MCP_ALLOWED_ORIGINS, OriginPolicy } from '../mcp/origin-policy.js';
import { McpSessionSigner } from '../mcp/session-token.js';
import { DEFAULT_MCP_MAX_RESULT_BYTES } from '../mcp/upstream-client.js';
import { McpUpstreamPool } from '../mcp/upstream-pool.js';
import type { RuntimeKey, RuntimeTable } from '../table/runtime-table.js';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import { decodeMcpMessage, encodeJsonRpcError, MCP_PROTOCOL_VERSION_HEADER, MCP_SESSION_HEADER, McpWireError } from '../wire/mcp/index.js';
import { checkKeyActive, identifyKey } from './authenticate.js';
import type { Exchange } from './exchange.js';
import { mcpToolGuard } from './guardrails/mcp-tool-guard.js';
import { checkDeclaredLength, readJsonObjectBody } from './ingress.js';
import { observe } from './observe.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { respondError } from './respond.js';

type McpEndpoint = Extract<FrontDoorEndpoint, { operation: 'mcp' }>;

export type McpOperation = (deps: PipelineDeps, endpoint: McpEndpoint, exchange: Exchange, context: FrontDoorContext) => Promise<void>;

/** The gateway's MCP server and the upstream clients it keeps for the life of the pipeline, shared by /mcp and hosted tools. */
export interface McpGateway {
  readonly server: McpGatewayServer;
  /** The servers `exchange` may use under its serving table (stopping clients of servers the table dropped). */
  serversFor(table: RuntimeTable, namespace: string): readonly CompiledMCPServer[];
}

export function createMcpGateway(deps: PipelineDeps): McpGateway {
  const options: McpEndpointOptions = deps.mcp ?? { sessions: McpSessionSigner.ephemeral(), maxResultBytes: DEFAULT_MCP_MAX_RESULT_BYTES };
  const build = buildInfo();
  const upstreams = new McpUpstreamPool({
    transport: deps.transport,
    maxResultBytes: options.maxResultBytes,
    clientInfo: { name: 'switchyard', version: build.version },
    perUser: options.perUserOAuth,
  });
  const server = new McpGatewayServer({
    upstreams,
    sessions: options.sessions,
    admitToolCall: (keyId, perMinute) => deps.admission.admitToolCall?.(keyId, perMinute) ?? Promise.resolve(undefined),
    upstreamFailed: (failed, error) =>
      deps.logger.warn('MCP server failed to list its tools; they are left out', {
        server: failed.id,
        error: error instanceof Error ? error.message : String(error),
      }),
    serverInfo: { name: 'switchyard', version: build.version },
    nowMs: Date.now,
    table: () => deps.tables.current,
  });
  let seenTable: RuntimeTable | undefined;
  return {
    server,
    serversFor(table, namespace) {
      if (table !== seenTable && table === deps.tables.current) {
        // A new table may have dropped servers: their clients (a stdio server's child) go with them.
        seenTable = table;
        upstreams.retain(new Set([...table.mcpServersByNamespace.values()].flatMap((servers) => servers.map((s) => s.id))));
      }
      return table.mcpServersByNamespace.get(namespace) ?? [];
    },
  };
}

/** The /mcp operation on `gateway`. */
export function createMcpOperation(deps: PipelineDeps, gateway: McpGateway): McpOperation {
  const origins = deps.mcp?.allowedOrigins ?? OriginPolicy.parse(DEFAULT_MCP_ALLOWED_ORIGINS);
  return (_deps, endpoint, exchange, context) => runMcp(deps, gateway, origins, endpoint, exchange, context);
}

async function runMcp(
  deps: PipelineDeps,
  gateway: McpGateway,
  origins: OriginPolicy,
  endpoint: McpEndpoint,
  exchange: Exchange,
  context: FrontDoorContext,
): Promise<void> {
  deps.metrics.requestStarted();
  try {
    const table = deps.tables.current;
    if (table === undefined) throw new GatewayError('no_backend', 'the gateway has not loaded a routing table yet', { code: 'not_ready' });
    exchange.table = table;
    // 0. a browser page may call only from an allowed origin (DNS rebinding; docs/mcp.md)
    const origin = header(exchange, 'origin');
    if (!origins.allows(origin))
      throw new GatewayError('permission', `origin ${origin?.slice(0, 200)} may not call /mcp (--mcp-allowed-origins)`, {
        code: 'origin_not_allowed',
      });
    // 1. ingress, size check only
    checkDeclaredLength(exchange.req, deps.maxBodyBytes);
    // 2. authenticate
    const identified = identifyKey(table, exchange, deps.tokens, (kind, result) => deps.metrics.tokenAuthentication(kind, result));
    const key = (exchange.key = identified instanceof Promise ? await identified : identified);
    checkKeyActive(key, Date.now());
    context.keyId = key.id;
    // A notification stream re-reads what its key sees whenever the table changes (mcp/notification-hub.ts).
    const view = (): McpKeyView | undefined => keyView(deps, gateway, key.id);
    // A server that stopped listening is draining (SIGTERM): notification streams end so the drain need not wait for them.
    const serving = (): boolean => (exchange.req.socket as { server?: { listening?: boolean } }).server?.listening !== false;
    const accept = header(exchange, 'accept');
    const openStream = (headers: Record<string, string>) => {
      exchange.status = 200;
      return openEventStream(exchange.res, { ...headers, 'x-request-id': exchange.requestId }, { heartbeat: true });
    };
    if (exchange.req.method === 'GET') {
      exchange.model = 'mcp:GET';
      const answer = await gateway.server.openStream(key.id, {
        sessionId: header(exchange, MCP_SESSION_HEADER),
        accept,
        openEventStream: openStream,
        view,
        serving,
      });
      if (answer.streamed !== true) send(exchange, answer.status, answer.headers, answer.body ?? '');
      return;
    }
    // 1. ingress: read and parse (bounded)
    const body = await readJsonObjectBody(exchange.req, deps.maxBodyBytes);
    let message: ReturnType<typeof decodeMcpMessage>;
    try {
      message = decodeMcpMessage(body);
    } catch (error) {
      if (!(error instanceof McpWireError)) throw error;
      send(exchange, 400, { 'content-type': 'application/json' }, encodeJsonRpcError(error.id, error.code, error.message));
      return;
    }
    if (message.kind === 'request') exchange.model = `mcp:${message.method.slice(0, 64)}`;
    const answer = await gateway.server.handle(
      { keyId: key.id, mcp: key.compiled.mcp, servers: gateway.serversFor(table, key.compiled.namespace), identity: exchange.identity },
      {
        message,
        sessionId: header(exchange, MCP_SESSION_HEADER),
        protocolHeader: header(exchange, MCP_PROTOCOL_VERSION_HEADER),
        signal: exchange.clientGone.signal,
        recordToolCall: (record) => auditToolCall(deps, record, exchange),
        toolGuard: message.kind === 'request' && message.method === 'tools/call' ? mcpToolGuard(exchange) : undefined,
        // Progress, log messages and subscriptions need an event stream; a caller that accepts only JSON gets none.
        ...((accept ?? '').toLowerCase().includes('text/event-stream') ? { openEventStream: openStream } : {}),
        view,
        serving,
      },
    );
    if (answer.streamed !== true) send(exchange, answer.status, answer.headers, answer.body ?? '');
  } catch (error) {
    respondError(exchange, (gatewayError) => endpoint.frontDoor.encodeError(gatewayError), error);
  } finally {
    observe(deps, exchange, 'mcp');
  }
}

const keysById = new WeakMap<RuntimeTable, Map<string, RuntimeKey>>();

/** What key `keyId` sees under the table serving now; undefined once it is gone or no longer active. */
function keyView(deps: PipelineDeps, gateway: McpGateway, keyId: string): McpKeyView | undefined {
  const table = deps.tables.current;
  if (table === undefined) return undefined;
  let byId = keysById.get(table);
  if (byId === undefined) {
    byId = new Map([...table.keysByDigest.values(), ...table.keysWithSubjects].map((key) => [key.id, key]));
    keysById.set(table, byId);
  }
  const key = byId.get(keyId);
  if (key === undefined) return undefined;
  try {
    checkKeyActive(key, Date.now());
  } catch {
    return undefined;
  }
  return { mcp: key.compiled.mcp, servers: gateway.serversFor(table, key.compiled.namespace) };
}

function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(exchange: Exchange, status: number, headers: Record<string, string>, body: string): void {
  if (exchange.clientGone.signal.aborted || exchange.res.headersSent) return;
  const all: OutgoingHttpHeaders = { ...headers, 'x-request-id': exchange.requestId, 'content-length': Buffer.byteLength(body) };
  exchange.status = status;
  exchange.res.writeHead(status, all);
  exchange.res.end(body);
}

/**
 * The audit line of one tool call: who (key), what (server, tool), how much and which arguments
 * (their byte size and SHA-256, never their values), the outcome and how long it took.
 */
export function auditToolCall(deps: PipelineDeps, record: ToolCallRecord, exchange: Exchange): void {
  deps.logger.info('mcp tool call', {
    key: record.keyId,
    server: record.server || undefined,
    tool: record.tool,
    argumentsBytes: record.argumentsBytes,
    argumentsSha256: record.argumentsSha256,
    status: record.status,
    latencyMs: record.latencyMs,
  });
  deps.audit?.record({
    time: new Date().toISOString(),
    requestId: exchange.requestId,
    operation: 'mcp-tool-call',
    method: exchange.req.method ?? 'POST',
    path: (exchange.req.url ?? '').split('?', 1)[0] as string,
    identity: { kind: 'VirtualKey', name: record.keyId },
    key: record.keyId,
    ...(record.server ? { server: record.server } : {}),
    tool: record.tool,
    // The tool's outcome (`ok`, `tool_error`, `denied`...): the JSON-RPC answer itself is a 200.
    status: exchange.status || 200,
    ...(record.status === 'ok' ? {} : { error: record.status }),
    latencyMs: record.latencyMs,
  });
  // The tool label only for tools the upstream ran: any other name is the caller's text, and a
  // caller inventing names must not be able to create metric series without bound.
  const ran = record.status === 'ok' || record.status === 'tool_error';
  deps.metrics.mcpToolCall(record.server, ran ? record.tool : '', record.status, record.latencyMs / 1000);
  if (deps.tracer !== undefined) {
    const endedAt = performance.now();
    deps.tracer.toolCall(exchange, { ...record, startedAt: endedAt - record.latencyMs, endedAt });
  }
}
