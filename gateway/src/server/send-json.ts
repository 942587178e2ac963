// Small JSON answers for the non-hot endpoints (health, errors on unknown paths).
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/gateway-error.js';
import type { ChatFrontDoor } from '../frontdoors/front-door.js';
import { closeIfBodyUnread } from '../common/unread-request-body.js';

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const all: OutgoingHttpHeaders = { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  closeIfBodyUnread(res.req, res, all);
  res.writeHead(status, all);
  res.end(body);
}

export function sendGatewayError(
  res: ServerResponse,
  encodeError: ChatFrontDoor['encodeError'],
  error: GatewayError,
  requestId: string,
): void {
  const encoded = encodeError(error);
  sendJson(res, encoded.status, encoded.body, { ...encoded.headers, 'x-request-id': requestId });
}
