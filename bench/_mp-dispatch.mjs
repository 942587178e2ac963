import { createServer } from 'node:http';
import { Pool } from 'undici';
const upstream = process.argv[2];
const pool = new Pool(upstream, { connections: 64 });
function requestText(opts) {
  return new Promise((resolve, reject) => {
    let status = 0; const chunks = [];
    pool.dispatch(opts, {
      onConnect() {}, onError: reject,
      onHeaders(s) { status = s; return true; },
      onData(c) { chunks.push(c); return true; },
      onComplete() { resolve({ status, text: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8') }); },
    });
  });
}
const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      request.model = 'bench-upstream-model';
      const response = await requestText({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-upstream' }, body: JSON.stringify(request) });
      const body = JSON.stringify(JSON.parse(response.text));
      res.writeHead(response.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (error) { res.writeHead(502); res.end(String(error)); }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
