// An answer sent before the request body was read (a 401 before the body, a 413 from the
// declared length, a 404 on an unknown path) must not keep the connection alive: node:http
// would then read and discard the rest of the body, however large, so one caller without a key
// could push gigabytes through the gateway. Such an answer carries `connection: close`, the
// gateway stops reading, and the socket is closed after a short linger.
//
// The linger is for the caller, not for the gateway: a client still writing its body when the
// socket is destroyed gets a reset on its next write, and a Node client (undici, the SDKs) then
// drops the answer already in its socket buffer and reports EPIPE instead of the 401 or 413.
// Holding the socket open without reading for a moment lets the client's writes stall (they fill
// the socket buffers, which are all it can push) while it reads the answer and the FIN.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a connection closed for an unread body stays open, not read, before it is destroyed. */
const UNREAD_BODY_LINGER_MS = 2_000;
/**
 * Safety net: body bytes read during the linger before the socket is destroyed at once (the
 * linger does not read; this only matters if pausing the socket ever stopped working).
 */
const LINGER_MAX_BYTES = 1024 * 1024;
const LINGER_CHECK_MS = 100;

/** True while the request declares a body that has not been received to its end. */
function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Call before writing an answer's head: when the request body was not consumed, adds
 * `connection: close` to `headers` and arranges the close (no reading, a linger, then destroy).
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders): void {
  if (!bodyUnread(req)) return;
  headers.connection = 'close';
  const socket = req.socket;
  // node:http's own 'finish' listener runs first: it resumes the request to discard the body and
  // ends the socket (FIN after the answer), to be destroyed as soon as that is flushed.
  res.once('finish', () => lingerThenDestroy(socket));
}

function lingerThenDestroy(socket: Socket): void {
  if (socket.destroyed) return;
  // Not destroyed when the FIN is flushed (node:http's destroySoon): after the linger instead.
  socket.removeListener('finish', socket.destroy);
  const readAtStart = socket.bytesRead;
  // After node:http's discard has resumed the socket (on the next tick), stop reading it.
  setImmediate(() => socket.pause());
  let waitedMs = 0;
  const check = setInterval(() => {
    waitedMs += LINGER_CHECK_MS;
    if (waitedMs >= UNREAD_BODY_LINGER_MS || socket.bytesRead - readAtStart > LINGER_MAX_BYTES) socket.destroy();
  }, LINGER_CHECK_MS);
  check.unref();
  socket.once('close', () => clearInterval(check));
}
