// What prompt-cache affinity (ModelRoute spec.affinity) saves: a multi-turn workload through the
// real gateway to an OpenAI-shaped upstream that models a provider's prompt cache the way OpenAI
// documents it (kept per organisation key, prefixes of at least 1024 tokens, matched in steps of
// 128 tokens, cached input billed at a discount and processed faster). One backend spreads its
// calls over three credentials (three organisations), so without affinity a conversation's turns
// land on credentials whose caches never saw its prefix. The same conversations run with
// affinity off and on, on two routes of one gateway (same upstream, same prices), and the script
// reports the share of prompt tokens served from cache, the requests that hit, the total cost the
// gateway charged (the x-switchyard-cost-usd headers) and the median latency.
// Usage: npm run build && node bench/affinity.mjs
//   (AFFINITY_CONVERSATIONS, AFFINITY_TURNS, AFFINITY_CONCURRENCY, AFFINITY_WRITE=0 to only print)
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { benchKeyYaml, median, startProcess, stopProcess, writeGeneratedBlock } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

const CONVERSATIONS = Number(process.env.AFFINITY_CONVERSATIONS ?? 30);
const TURNS = Number(process.env.AFFINITY_TURNS ?? 8);
const CONCURRENCY = Number(process.env.AFFINITY_CONCURRENCY ?? 6);
const ROUNDS = Number(process.env.AFFINITY_ROUNDS ?? 3);
const KEY = 'sk-sy-affinitybench0000000000000000000000';
const CREDENTIALS = ['sk-org-a-not-real', 'sk-org-b-not-real', 'sk-org-c-not-real'];
/** USD per million tokens: input, cached input (a quarter of input), output. */
const PRICES = { input: '2.00', cachedInput: '0.50', output: '8.00' };
/** The modelled prefill: time per uncached prompt token and a fixed part, so cache hits answer sooner. */
const MICROS_PER_UNCACHED_TOKEN = 8;
const BASE_MICROS = 2000;
const COMPLETION_TOKENS = 60;

// --- the upstream: a prompt cache per credential --------------------------------------------

/** Tokens of one message, roughly as OpenAI counts them (four characters a token, a few for framing). */
const messageTokens = (message) => Math.ceil(String(message.content ?? '').length / 4) + 4;

function startCachingUpstream() {
  /** credential -> digests of every message prefix it has processed. */
  const seen = new Map(CREDENTIALS.map((credential) => [credential, new Set()]));
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const credential = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const prefixes = seen.get(credential);
      if (prefixes === undefined) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'unknown key', type: 'invalid_request_error' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const hash = createHash('sha256');
      let promptTokens = 0;
      let longestSeen = 0;
      const digests = [];
      for (const message of body.messages) {
        hash.update(JSON.stringify(message));
        promptTokens += messageTokens(message);
        const digest = hash.copy().digest('hex');
        digests.push(digest);
        if (prefixes.has(digest)) longestSeen = promptTokens;
      }
      for (const digest of digests) prefixes.add(digest);
      // OpenAI: prefixes from 1024 tokens, in steps of 128.
      const cachedTokens = longestSeen >= 1024 ? Math.floor(longestSeen / 128) * 128 : 0;
      const delayMs = (BASE_MICROS + (promptTokens - cachedTokens) * MICROS_PER_UNCACHED_TOKEN) / 1000;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `chatcmpl-${digests.length}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(COMPLETION_TOKENS * 4) }, finish_reason: 'stop' }],
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: COMPLETION_TOKENS,
              total_tokens: promptTokens + COMPLETION_TOKENS,
              prompt_tokens_details: { cached_tokens: cachedTokens },
            },
          }),
        );
      }, delayMs);
    });
  });
  // Each run starts from cold caches, so the second run gains nothing from the first one's prefixes.
  const reset = () => {
    for (const prefixes of seen.values()) prefixes.clear();
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, reset })));
}

// --- the gateway: two routes, affinity off and on --------------------------------------------

function routeYaml(name, upstreamUrl, affinity) {
  const credentials = CREDENTIALS.map((_, i) => `{secretRef: {name: org-${i}, key: apiKey}}`).join(', ');
  return `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: ${name}}
spec:
  model: ${name}
  retry: {attempts: 1}${affinity ? '\n  affinity: {enabled: true, ttl: 5m}' : ''}
  backends:
  - name: openai
    provider: openai
    model: gpt-4.1
    baseURL: ${upstreamUrl}/v1
    credentials: [${credentials}]
    pricing: {inputPerMillion: "${PRICES.input}", cachedInputPerMillion: "${PRICES.cachedInput}", outputPerMillion: "${PRICES.output}"}
`;
}

const secretsYaml = () =>
  CREDENTIALS.map(
    (credential, i) => `apiVersion: v1
kind: Secret
metadata: {name: org-${i}}
stringData: {apiKey: ${credential}}
`,
  ).join('---\n');

// --- the workload ----------------------------------------------------------------------------

/** A system prompt of about 1,900 tokens, different per application (three applications). */
const systemPrompt = (app) =>
  `You are the assistant of application ${app}. ${'Follow the house style guide: answer briefly, cite the policy section, never guess. '.repeat(120)}`;

async function runConversations(gatewayUrl, model) {
  const pool = new Pool(gatewayUrl, { connections: CONCURRENCY });
  const result = { requests: 0, promptTokens: 0, cachedTokens: 0, hits: 0, costUsd: 0, latenciesMs: [] };
  let next = 0;
  async function conversation(n) {
    const messages = [{ role: 'system', content: systemPrompt(n % 3) }];
    for (let turn = 0; turn < TURNS; turn++) {
      // The first turn carries the conversation's own document (about 2,000 tokens), as retrieval
      // and agent traffic does: the prefix only this conversation's cache holds.
      const document = turn === 0 ? `Case file ${n}: ${`entry ${n}-`.repeat(800)}\n` : '';
      messages.push({
        role: 'user',
        content: `${document}Conversation ${n}, question ${turn}: ${'what does the policy say about this case? '.repeat(20)}`,
      });
      const started = performance.now();
      const response = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model, messages }),
      });
      const body = await response.body.json();
      result.latenciesMs.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(`${model}: status ${response.statusCode}: ${JSON.stringify(body)}`);
      const cached = body.usage.prompt_tokens_details?.cached_tokens ?? 0;
      result.requests += 1;
      result.promptTokens += body.usage.prompt_tokens;
      result.cachedTokens += cached;
      if (cached > 0) result.hits += 1;
      result.costUsd += Number(response.headers['x-switchyard-cost-usd']);
      messages.push({ role: 'assistant', content: body.choices[0].message.content });
    }
  }
  async function worker() {
    while (next < CONVERSATIONS) await conversation(next++);
  }
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await pool.close();
  }
  return result;
}

/** The run with the median cost, its latency the median of every run's median. */
function medianRun(runs) {
  const byCost = [...runs].sort((a, b) => a.costUsd - b.costUsd);
  const chosen = byCost[Math.floor(byCost.length / 2)];
  return { ...chosen, medianLatencyMs: median(runs.map((r) => median(r.latenciesMs))) };
}

/** What the same traffic would cost if the provider had no prompt cache at all. */
const uncachedCost = (r) => (r.promptTokens * Number(PRICES.input) + r.requests * COMPLETION_TOKENS * Number(PRICES.output)) / 1e6;

async function main() {
  const upstream = await startCachingUpstream();
  const upstreamUrl = `http://127.0.0.1:${upstream.server.address().port}`;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-affinity-'));
  writeFileSync(
    join(dir, 'bench.yaml'),
    [routeYaml('spread', upstreamUrl, false), routeYaml('sticky', upstreamUrl, true), secretsYaml(), benchKeyYaml('bench', KEY)].join(
      '---\n',
    ),
  );
  const gateway = await startProcess(
    [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', dir, '--port', '0', '--admin-port', '0'],
    (m) => m.msg === 'listening',
    { SWITCHYARD_LOG_LEVEL: 'warn' },
  );
  const gatewayUrl = `http://127.0.0.1:${gateway.info.port}`;
  const offRuns = [];
  const onRuns = [];
  try {
    // Alternating rounds, each from cold caches: the machine's noise falls on both alike.
    for (let round = 0; round < ROUNDS; round++) {
      upstream.reset();
      offRuns.push(await runConversations(gatewayUrl, 'spread'));
      upstream.reset();
      onRuns.push(await runConversations(gatewayUrl, 'sticky'));
    }
  } finally {
    await stopProcess(gateway.child);
    upstream.server.close();
  }

  const off = medianRun(offRuns);
  const on = medianRun(onRuns);
  const row = (label, r) =>
    `| ${label} | ${r.requests} | ${((100 * r.cachedTokens) / r.promptTokens).toFixed(1)} % | ${((100 * r.hits) / r.requests).toFixed(1)} % | $${r.costUsd.toFixed(4)} | ${r.medianLatencyMs.toFixed(1)} ms |`;
  const saved = 1 - on.costUsd / off.costUsd;
  const body = [
    `Generated by \`node bench/affinity.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${CONVERSATIONS} conversations of ${TURNS} turns (a shared system prompt of about 1,900 tokens per application, three applications; a document of about 2,000 tokens of its own in each conversation's first turn), ${CONCURRENCY} at a time, through one gateway to one backend with ${CREDENTIALS.length} credentials (organisations), each with its own prompt cache in the upstream model; the same conversations with affinity off, then on, from cold caches, in ${ROUNDS} alternating rounds (the round with the median cost; latency: the median of the rounds' medians).`,
    '',
    '| affinity | requests | prompt tokens from cache | requests with a cache hit | cost charged | median latency |',
    '| --- | --- | --- | --- | --- | --- |',
    row('off (weighted over credentials)', off),
    row('on (`affinity: {enabled: true}`)', on),
    '',
    `Affinity on costs ${(100 * saved).toFixed(1)} % less than off (${(on.costUsd / off.costUsd).toFixed(2)}x, same run); without any provider cache the traffic would cost $${uncachedCost(off).toFixed(4)}. Prices: input $${PRICES.input}, cached input $${PRICES.cachedInput}, output $${PRICES.output} per million tokens. The modelled prefill: ${BASE_MICROS / 1000} ms plus ${MICROS_PER_UNCACHED_TOKEN} µs per uncached prompt token.`,
    `Machine: ${cpus().length} cores, Node ${process.version}; client, gateway and upstream share the cores.`,
  ].join('\n');
  console.log(body);
  if (process.env.AFFINITY_WRITE !== '0')
    writeGeneratedBlock(
      join(repoRoot, 'docs', 'benchmarks.md'),
      '<!-- bench/affinity.mjs: generated from here -->',
      '<!-- bench/affinity.mjs: generated to here -->',
      body,
    );
}

await main();
