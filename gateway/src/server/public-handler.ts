// The public port's request handler: every front-door endpoint goes straight into the pipeline
// on raw node:http; health endpoints are matched after them, and anything else is a 404 in the
// format of the front door whose path it is.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import { startExchange } from '../pipeline/exchange.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { PipelineDeps } from '../pipeline/pipeline-deps.js';
import type { FrontDoorRouter } from './front-door-router.js';
import { serveHealthz, serveReadyz, type Lifecycle } from './health-endpoints.js';
import { requestIdFor } from './request-id.js';
import { sendGatewayError } from './send-json.js';
import { closeIfBodyUnread } from '../common/unread-request-body.js';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { MCP_OAUTH_CALLBACK_PATH, MCP_OAUTH_START_PATH } from '../mcp/per-user-oauth.js';

export function createPublicHandler(
  deps: PipelineDeps,
  router: FrontDoorRouter,
  lifecycle: Lifecycle,
): (req: IncomingMessage, res: ServerResponse) => void {
  const pipeline = createPipeline(deps);
  return (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const method = req.method ?? 'GET';
    const requestId = requestIdFor(req.headers);

    const routed = router.find(method, path);
    if (routed !== undefined) {
      const exchange = startExchange(req, res, requestId, lifecycle);
      const context: FrontDoorContext = { requestId, ...routed.match };
      if (queryStart >= 0) context.query = new URLSearchParams(url.slice(queryStart + 1));
      routed.door.adoptCredentials?.(req.headers, context.query);
      pipeline.run(exchange, routed.endpoint, context).catch((error: unknown) => lastResort(deps, res, error));
      return;
    }
    // The sign-in pages of per-user OAuth to MCP servers (docs/mcp.md), when configured.
    const perUser = deps.mcp?.perUserOAuth;
    if (perUser !== undefined && (path === MCP_OAUTH_START_PATH || path === MCP_OAUTH_CALLBACK_PATH)) {
      perUser.serve(req, res, (id) => findMcpServer(deps, id)).catch((error: unknown) => lastResort(deps, res, error));
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/healthz') return serveHealthz(res);
      if (path === '/readyz') return serveReadyz(res, deps.tables, lifecycle);
    }
    const { error, encodeError } = router.notFound(method, path);
    sendGatewayError(res, encodeError, error, requestId);
  };
}

/** An MCPServer of the serving table by id (`namespace/name`). */
function findMcpServer(deps: PipelineDeps, id: string): CompiledMCPServer | undefined {
  for (const servers of deps.tables.current?.mcpServersByNamespace.values() ?? []) {
    const found = servers.find((server) => server.id === id);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The pipeline answers its own errors; this only runs if that failed too. */
function lastResort(deps: PipelineDeps, res: ServerResponse, error: unknown): void {
  deps.logger.error('unhandled error in request pipeline', { error });
  if (!res.headersSent) {
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
    closeIfBodyUnread(res.req, res, headers);
    res.writeHead(500, headers);
    res.end('{"error":{"message":"internal gateway error","type":"api_error","code":null,"param":null}}');
  } else {
    res.destroy();
  }
}
