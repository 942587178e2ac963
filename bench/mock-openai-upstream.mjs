// A minimal OpenAI-shaped upstream for benchmarks: answers every chat completion with the same
// small body, as fast as node:http allows. Runs in its own process so it does not share the
// load generator's event loop. Prints its port on stdout.
import { createServer } from 'node:http';

const body = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1770000000,
  model: 'bench-upstream-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello from the benchmark upstream.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

// A streamed answer: 20 content chunks, a finish chunk and a usage chunk, as OpenAI frames them,
// written together (the benchmark measures the gateway's CPU per stream, not the model's pace).
const STREAM_CHUNKS = 20;
const chunk = (delta, finishReason, usage) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1770000000, model: 'bench-upstream-model', choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(usage ? { usage } : {}) })}\n\n`;
const streamBody =
  chunk({ role: 'assistant', content: '' }, null) +
  Array.from({ length: STREAM_CHUNKS }, (_, i) => chunk({ content: `word${i} ` }, null)).join('') +
  chunk({}, 'stop') +
  chunk(undefined, null, { prompt_tokens: 12, completion_tokens: STREAM_CHUNKS, total_tokens: 12 + STREAM_CHUNKS }) +
  'data: [DONE]\n\n';

const server = createServer((req, res) => {
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    // A cheap look for "stream":true; the body is the gateway's own serialization.
    if (Buffer.concat(parts).includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(streamBody);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
