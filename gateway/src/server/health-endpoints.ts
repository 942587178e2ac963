// Liveness and readiness, served on the public and the admin port. Ready means a routing table
// is loaded and the process is not draining.
import type { ServerResponse } from 'node:http';
import type { TableHolder } from '../table/table-holder.js';
import { sendJson } from './send-json.js';

export interface Lifecycle {
  draining: boolean;
  /** The shutdown grace is over and the remaining connections are being closed (requests cut now are the gateway's doing). */
  cutting?: boolean;
}

export function serveHealthz(res: ServerResponse): void {
  sendJson(res, 200, '{"status":"ok"}');
}

export function serveReadyz(res: ServerResponse, tables: TableHolder, lifecycle: Lifecycle): void {
  const table = tables.current;
  if (lifecycle.draining) return sendJson(res, 503, '{"status":"draining"}');
  if (table === undefined) return sendJson(res, 503, '{"status":"no routing table loaded"}');
  sendJson(res, 200, JSON.stringify({ status: 'ready', tableVersion: table.version, tableHash: table.hash }));
}
