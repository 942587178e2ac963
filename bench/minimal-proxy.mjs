// The floor a Node gateway is measured against: node:http in, one undici Pool out, the body read
// once, parsed once and re-serialized once in each direction. No auth, routing, metrics or logs.
// A streamed answer (the request has "stream": true) is forwarded chunk by chunk as undici hands
// it over, with backpressure: the floor for the gateway's streams.
// Usage: node bench/minimal-proxy.mjs <upstream origin>. Prints {"port": N} on stdout.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = process.argv[2];
if (!upstream) {
  process.stderr.write('usage: minimal-proxy.mjs <upstream origin>\n');
  process.exit(2);
}
const pool = new Pool(upstream, { connections: 64 });

const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      request.model = 'bench-upstream-model';
      const response = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-upstream' },
        body: JSON.stringify(request),
      });
      if (request.stream === true) {
        res.writeHead(response.statusCode, { 'content-type': response.headers['content-type'] ?? 'text/event-stream' });
        for await (const chunk of response.body) {
          if (!res.write(chunk)) await new Promise((resolveDrain) => res.once('drain', resolveDrain));
        }
        res.end();
        return;
      }
      const answer = JSON.parse(await response.body.text());
      const body = JSON.stringify(answer);
      res.writeHead(response.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  pool.close().then(() => process.exit(0));
});
