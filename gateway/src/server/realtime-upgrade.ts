// The public port's WebSocket upgrades. Only front-door endpoints of the `realtime` operation
// accept one (GET /v1/realtime); any other upgrade request is refused with the 404 of the front
// door whose path it is, and its socket closed.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RealtimeGateway } from '../pipeline/realtime-operation.js';
import type { FrontDoorRouter } from './front-door-router.js';
import { requestIdFor } from './request-id.js';

export function createUpgradeHandler(
  router: FrontDoorRouter,
  realtime: RealtimeGateway,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    // A socket error before the session's handlers are attached must not crash the process.
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const method = req.method ?? 'GET';
    const requestId = requestIdFor(req.headers);
    const routed = router.find(method, path);
    if (routed?.endpoint.operation === 'realtime' && (req.headers.upgrade ?? '').toLowerCase() === 'websocket') {
      realtime.upgrade(req, socket, head, routed.endpoint, requestId);
      return;
    }
    const { error, encodeError } = router.notFound(method, path);
    const encoded = encodeError(error);
    const body = encoded.body;
    socket.end(
      `HTTP/1.1 ${encoded.status} ${STATUS_CODES[encoded.status] ?? 'Error'}\r\nconnection: close\r\ncontent-type: ${encoded.headers['content-type'] ?? 'application/json'}\r\nx-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
}
