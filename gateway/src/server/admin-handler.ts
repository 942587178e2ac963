// The admin port: health, readiness and Prometheus metrics. Metrics stay off the public port
// because they name keys and spend.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../observe/metrics.js';
import type { TableHolder } from '../table/table-holder.js';
import { serveHealthz, serveReadyz, type Lifecycle } from './health-endpoints.js';
import { sendJson } from './send-json.js';

export function createAdminHandler(
  tables: TableHolder,
  metrics: GatewayMetrics,
  lifecycle: Lifecycle,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/healthz') return serveHealthz(res);
      if (path === '/readyz') return serveReadyz(res, tables, lifecycle);
      if (path === '/metrics') {
        metrics.render().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
            res.end(text);
          },
          () => sendJson(res, 500, '{"error":"metrics could not be rendered"}'),
        );
        return;
      }
    }
    sendJson(res, 404, JSON.stringify({ error: `unknown admin path: ${req.method ?? 'GET'} ${path}` }));
  };
}
