// The public port's request handler: front-door paths go straight into the pipeline on raw
// node:http; the few other endpoints (models, health) are matched by hand after them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import type { FrontDoorContext } from '../unified/front-door-codec.js';
import { serveAnthropicExtras } from '../frontdoors/anthropic-messages/index.js';
import { adoptGoogleQueryKey, serveGeminiExtras } from '../frontdoors/gemini/index.js';
import { startExchange } from '../pipeline/exchange.js';
import { handleChatRequest, handleEmbeddingsRequest } from '../pipeline/handle-chat-request.js';
import type { PipelineDeps } from '../pipeline/pipeline-deps.js';
import { defaultErrorEncoder } from './front-door-routes.js';
import type { FrontDoorRouter } from './front-door-router.js';
import { serveHealthz, serveReadyz, type Lifecycle } from './health-endpoints.js';
import { serveModels } from './models-endpoint.js';
import { requestIdFor } from './request-id.js';
import { sendGatewayError } from './send-json.js';

const MODELS_PREFIX = '/v1/models/';

export function createPublicHandler(deps: PipelineDeps, router: FrontDoorRouter, lifecycle: Lifecycle): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const method = req.method ?? 'GET';
    const requestId = requestIdFor(req.headers);

    const routed = router.find(path);
    if (routed !== undefined && method === 'POST') {
      const exchange = startExchange(req, res, requestId);
      const context: FrontDoorContext = { requestId, ...routed.match };
      if (queryStart >= 0) context.query = new URLSearchParams(url.slice(queryStart + 1));
      if (routed.binding.frontDoor.format === 'gemini') adoptGoogleQueryKey(req.headers, context.query);
      const handled =
        routed.binding.operation === 'chat'
          ? handleChatRequest(deps, exchange, routed.binding.frontDoor, context)
          : handleEmbeddingsRequest(deps, exchange, routed.binding.frontDoor, context);
      handled.catch((error: unknown) => lastResort(deps, res, error));
      return;
    }
    if (serveGeminiExtras(req, res, deps, requestId)) return;
    if (serveAnthropicExtras(req, res, deps, requestId)) return;
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/healthz') return serveHealthz(res);
      if (path === '/readyz') return serveReadyz(res, deps.tables, lifecycle);
      if (path === '/v1/models') return serveModels(req, res, deps.tables, defaultErrorEncoder, requestId, undefined);
      if (path.startsWith(MODELS_PREFIX) && path.length > MODELS_PREFIX.length) {
        let modelId: string;
        try {
          modelId = decodeURIComponent(path.slice(MODELS_PREFIX.length));
        } catch {
          modelId = path.slice(MODELS_PREFIX.length);
        }
        return serveModels(req, res, deps.tables, defaultErrorEncoder, requestId, modelId);
      }
    }
    const hint = routed !== undefined ? ' (use POST)' : '';
    sendGatewayError(res, defaultErrorEncoder, new GatewayError('not_found', `unknown path: ${method} ${path}${hint}`, { code: 'unknown_url' }), requestId);
  };
}

/** The pipeline answers its own errors; this only runs if that failed too. */
function lastResort(deps: PipelineDeps, res: ServerResponse, error: unknown): void {
  deps.logger.error('unhandled error in request pipeline', { error });
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"internal gateway error","type":"api_error","code":null,"param":null}}');
  } else {
    res.destroy();
  }
}
