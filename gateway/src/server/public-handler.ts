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
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/healthz') return serveHealthz(res);
      if (path === '/readyz') return serveReadyz(res, deps.tables, lifecycle);
    }
    const { error, encodeError } = router.notFound(method, path);
    sendGatewayError(res, encodeError, error, requestId);
  };
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
