// The event streams /mcp answers with are bounded: a caller that stops reading lets messages
// pile up in the socket's buffer, and past the queue bound the stream is closed rather than
// held without limit. A real HTTP server and a raw socket that never reads.
import { afterAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { openEventStream, type McpEventStream } from '../../src/mcp/event-stream.js';
import { eventually } from '../support/eventually.js';

describe('MCP event streams', () => {
  let server: Server | undefined;

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });

  it('writes messages as events, and closes a stream whose caller does not read once its queue passes the bound', async () => {
    let resolveOpened: (stream: McpEventStream) => void = () => undefined;
    const opened = new Promise<McpEventStream>((resolve) => {
      resolveOpened = resolve;
    });
    const listening = createServer((_req, res) =>
      resolveOpened(openEventStream(res, { 'x-test': '1' }, { heartbeat: false, maxQueued: 4 })),
    );
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const socket = connect((listening.address() as AddressInfo).port, '127.0.0.1');
    const head: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      head.push(chunk);
      // The headers and the first event arrive; after that the caller stops reading.
      if (Buffer.concat(head).includes('\n\n', Buffer.concat(head).indexOf('\r\n\r\n') + 4)) socket.pause();
    });
    socket.write('GET /mcp HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\n\r\n');
    const stream = await opened;
    expect(stream.send('{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}')).toBe(true);
    await eventually(async () => Buffer.concat(head).includes('list_changed'));
    const text = Buffer.concat(head).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain('content-type: text/event-stream');
    expect(text).toContain('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');
    const large = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'x'.repeat(256 * 1024) } });
    let accepted = 0;
    // Without a bound every send would be buffered: the loop would end with all of them accepted.
    while (accepted < 10_000 && stream.send(large)) accepted += 1;
    expect(accepted).toBeLessThan(10_000);
    expect(stream.closed.aborted).toBe(true);
    expect(stream.send('{}')).toBe(false);
    socket.destroy();
  });
});
