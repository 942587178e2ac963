// A raw-socket HTTP/1.1 client for what no SDK does on purpose: push a request body as fast as
// the gateway takes it, and go on after the gateway answered and half-closed (counting what it
// took), or send a request and then never read the answer.
import { connect, type Socket } from 'node:net';

interface RawResponseHead {
  status: number;
  /** Header names lower-cased; the last value wins. */
  headers: Record<string, string>;
}

function parseResponseHead(text: string): RawResponseHead | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}

/** Connects to the gateway on loopback; `allowHalfOpen` keeps writing possible after the gateway's FIN. */
export async function connectRaw(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise<void>((resolveConnect, rejectConnect) => {
    socket.once('connect', resolveConnect);
    socket.once('error', rejectConnect);
  });
  return socket;
}

export interface BodyPushResult {
  head: RawResponseHead | undefined;
  /** Body bytes the socket took (write callbacks without error). */
  bytesAccepted: number;
  /** The gateway ended its side (FIN) or reset the connection within the wait after the last write. */
  closedByServer: boolean;
}

/**
 * Sends `head` (request line and headers, without the blank line), then body bytes in 1 MiB
 * writes until `bodyBytes` are sent, the connection closes or errs, or one write has not been
 * taken for `stallMs`; then waits up to `closeWaitMs` for the gateway to close the connection.
 */
export async function pushRequestBody(
  port: number,
  head: string,
  bodyBytes: number,
  options: { stallMs?: number; closeWaitMs?: number } = {},
): Promise<BodyPushResult> {
  const socket = await connectRaw(port);
  let received = '';
  let ended = false;
  let closed = false;
  const onClosed = new Promise<void>((resolveClosed) =>
    socket.on('close', () => {
      closed = true;
      resolveClosed();
    }),
  );
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => {
    if (received.length < 64 * 1024) received += text;
  });
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', () => undefined);
  socket.write(`${head}\r\n\r\n`);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let accepted = 0;
  while (accepted < bodyBytes && !closed) {
    const slice = bodyBytes - accepted >= chunk.length ? chunk : chunk.subarray(0, bodyBytes - accepted);
    const taken = await writeWithin(socket, slice, options.stallMs ?? 1_000);
    if (!taken) break;
    accepted += slice.length;
    // Let the event loop poll the socket between writes, as any real client does.
    await new Promise((r) => setImmediate(r));
  }
  await Promise.race([onClosed, new Promise((r) => setTimeout(r, options.closeWaitMs ?? 5_000))]);
  const closedByServer = ended || closed;
  socket.destroy();
  return { head: parseResponseHead(received), bytesAccepted: accepted, closedByServer };
}

function writeWithin(socket: Socket, data: Buffer, stallMs: number): Promise<boolean> {
  return new Promise((resolveWrite) => {
    const timer = setTimeout(() => resolveWrite(false), stallMs);
    socket.write(data, (error) => {
      clearTimeout(timer);
      resolveWrite(error === undefined || error === null);
    });
  });
}
