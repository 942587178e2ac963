// What a GuardrailPolicy of built-in checks costs a streamed answer, measured in one run against
// one gateway: the same requests, alternating between a key without policies and a key selected
// by a policy with every built-in check on input and output, through an in-process upstream that
// streams 40 chunks of ~6 characters either all at once (the gateway's CPU per chunk) or paced
// (the hold-back window's cost to time to first token at a model's pace).
//
// Env: GUARDRAIL_BENCH_REQUESTS (per case and key, default 300), GUARDRAIL_BENCH_PACE_MS (delay
// between paced chunks, default 10), GUARDRAIL_BENCH_HOLDBACK (streamHoldback, default 128).
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { benchKeyYaml, benchRouteYaml, percentile, startProcess, stopProcess } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const REQUESTS = Number(process.env.GUARDRAIL_BENCH_REQUESTS ?? 300);
const PACE_MS = Number(process.env.GUARDRAIL_BENCH_PACE_MS ?? 10);
const HOLDBACK = Number(process.env.GUARDRAIL_BENCH_HOLDBACK ?? 128);
const CHUNKS = 40;
const PLAIN_KEY = 'sk-sy-benchplain000000000000000000000000';
const GUARDED_KEY = 'sk-sy-benchguard000000000000000000000000';

const chunk = (delta, finishReason, usage) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1770000000, model: 'm', choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(usage ? { usage } : {}) })}\n\n`;

function startUpstream() {
  const server = createServer((req, res) => {
    // The gateway does not forward our headers: the prompt says whether to pace.
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (data) => {
      body += data;
    });
    req.on('end', async () => {
      const paced = body.includes('PACED');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }, null));
      for (let i = 0; i < CHUNKS; i++) {
        res.write(chunk({ content: `word${String(i).padStart(2, '0')} ` }, null));
        if (paced) await new Promise((r) => setTimeout(r, PACE_MS));
      }
      res.write(chunk({}, 'stop'));
      res.write(chunk(undefined, null, { prompt_tokens: 12, completion_tokens: CHUNKS, total_tokens: 12 + CHUNKS }));
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const policyYaml = `apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: builtin}
spec:
  selector: {matchLabels: {guarded: "yes"}}
  streamHoldback: ${HOLDBACK}
  checks:
  - {name: pii, type: pii, entities: [email, phone, credit_card, iban, us_ssn, ip_address], "on": both, action: redact}
  - {name: secrets, type: secrets, "on": both, action: block}
  - {name: words, type: denylist, phrases: ["project falcon", "codename"], "on": both, action: block}
  - {name: corp, type: regex, pattern: "ACME-[0-9]{6}", "on": both, action: redact}
`;

/** Time to the first content byte and to the end of one streamed request, in ms. */
async function oneStream(pool, key, paced) {
  const start = performance.now();
  const response = await pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: 'bench-model',
      stream: true,
      messages: [{ role: 'user', content: `${paced ? 'PACED ' : ''}Say hello, mail me at a@b.example.` }],
    }),
  });
  let first;
  let text = '';
  for await (const data of response.body) {
    text += data.toString('utf8');
    if (first === undefined && /"content":"[^"]/.test(text)) first = performance.now() - start;
  }
  if (response.statusCode !== 200 || first === undefined) throw new Error(`status ${response.statusCode}: ${text.slice(0, 300)}`);
  return { first, total: performance.now() - start };
}

const median = (values) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

async function main() {
  const upstream = await startUpstream();
  const configDir = mkdtempSync(join(tmpdir(), 'switchyard-guardrail-bench-'));
  const guardedKey = benchKeyYaml('guarded', GUARDED_KEY).replace(
    'metadata: {name: guarded}',
    'metadata: {name: guarded, labels: {guarded: "yes"}}',
  );
  writeFileSync(
    join(configDir, 'bench.yaml'),
    [benchRouteYaml(`http://127.0.0.1:${upstream.address().port}`), benchKeyYaml('plain', PLAIN_KEY), guardedKey, policyYaml].join('---\n'),
  );
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    { SWITCHYARD_LOG_LEVEL: 'warn' },
  );
  const pool = new Pool(`http://127.0.0.1:${gateway.info.port}`, { connections: 1 });
  try {
    for (const paced of [false, true]) {
      const count = paced ? Math.max(20, Math.floor(REQUESTS / 6)) : REQUESTS;
      for (let i = 0; i < 20; i++) await oneStream(pool, i % 2 ? PLAIN_KEY : GUARDED_KEY, paced); // warm-up
      const samples = { plain: [], guarded: [] };
      // Alternating, so both keys see the same machine noise.
      for (let i = 0; i < count; i++) {
        samples.plain.push(await oneStream(pool, PLAIN_KEY, paced));
        samples.guarded.push(await oneStream(pool, GUARDED_KEY, paced));
      }
      const row = (name) => ({
        ttftMs: Number(median(samples[name].map((s) => s.first)).toFixed(3)),
        totalMs: Number(median(samples[name].map((s) => s.total)).toFixed(3)),
      });
      const plain = row('plain');
      const guarded = row('guarded');
      console.log(
        JSON.stringify({
          case: paced ? `paced, ${PACE_MS} ms between chunks` : 'upstream writes the whole stream at once',
          requestsPerKey: count,
          chunks: CHUNKS,
          streamHoldback: HOLDBACK,
          plain,
          guarded,
          addedTtftMs: Number((guarded.ttftMs - plain.ttftMs).toFixed(3)),
          addedPerChunkUs: Number((((guarded.totalMs - plain.totalMs) * 1000) / CHUNKS).toFixed(1)),
          // Same-run ratios (guarded over plain): comparable across machines, unlike the absolute times.
          ttftRatio: Number((guarded.ttftMs / plain.ttftMs).toFixed(2)),
          totalRatio: Number((guarded.totalMs / plain.totalMs).toFixed(2)),
        }),
      );
    }
  } finally {
    await pool.close();
    await stopProcess(gateway.child);
    upstream.close();
  }
}

await main();
