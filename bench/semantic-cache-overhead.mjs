// What the semantic cache adds, in one run:
// 1. In process (the gateway's own modules from dist): the semantic stage's work around the
//    embedding call, per request: the partition digest, the vector's normalization, the search
//    of a partition and, on a miss, the add. Partitions of 1, 16, 256 (the default
//    maxEntriesPerPartition) and 4096 (its maximum) entries, at 256 dimensions (the mock model)
//    and 1536 (OpenAI text-embedding-3-small).
// 2. Through one gateway on the local benchmark upstream (which answers at once, the cache's
//    worst case), requests alternating round-robin: the upstream through a route without cache,
//    an exact hit, a semantic hit (a paraphrase, so the exact lookup misses first), a semantic
//    miss (a fresh question: exact miss, embedding, search, upstream, store), an exact-only miss,
//    and a /v1/embeddings call to the embedding route (what the mock embedding costs alone).
//
// Env: SEMANTIC_BENCH_REQUESTS (per case, default 1000), SEMANTIC_BENCH_ITERATIONS (in-process
// repetitions per case, default 2000).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { percentile, startProcess, stopProcess } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const REQUESTS = Number(process.env.SEMANTIC_BENCH_REQUESTS ?? 1000);
const ITERATIONS = Number(process.env.SEMANTIC_BENCH_ITERATIONS ?? 2000);
const KEY = 'sk-sy-semanticbench000000000000000000000';

const median = (samples) =>
  percentile(
    [...samples].sort((a, b) => a - b),
    0.5,
  );
const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

// --- 1. in process ---------------------------------------------------------------------------
const { MemorySemanticIndex } = await import(join(repoRoot, 'gateway/dist/src/cache/semantic/memory-semantic-index.js'));
const { semanticRequest } = await import(join(repoRoot, 'gateway/dist/src/cache/semantic/semantic-request.js'));
const { unitVector } = await import(join(repoRoot, 'gateway/dist/src/cache/semantic/vectors.js'));

function randomValues(dimensions, seed) {
  let state = seed + 1;
  return Array.from({ length: dimensions }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
}

const policy = {
  embeddingRouteId: 'default/embedder',
  threshold: 0.9,
  maxEntriesPerPartition: 4096,
  maxTemperature: 1,
  maxTurnChars: 2000,
};
const keyInput = (text) => ({
  scope: 'VirtualKey',
  keyId: 'default/bench',
  keyNamespace: 'default',
  routeId: 'default/chat',
  request: {
    model: 'chat',
    stream: false,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You are a helpful assistant for an online shop.' }] },
      { role: 'user', content: [{ type: 'text', text: 'I ordered a lamp last week.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Thanks, how can I help with the order?' }] },
      { role: 'user', content: [{ type: 'text', text }] },
    ],
  },
});

async function inProcess(dimensions, entries) {
  const index = new MemorySemanticIndex({ maxBytes: 1 << 30, nowMs: () => 0 });
  const plan = semanticRequest(keyInput('Where is my order?'), policy);
  for (let i = 0; i < entries; i++)
    await index.add(plan.partition, { vector: unitVector(randomValues(dimensions, i)), answerKey: `k${i}` }, 3_600_000, 4096);
  const stored = unitVector(randomValues(dimensions, 0));
  const miss = [];
  const hit = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const fresh = randomValues(dimensions, 1_000_000 + i);
    let start = process.hrtime.bigint();
    const missPlan = semanticRequest(keyInput(`Where is my order number ${i}?`), policy);
    const vector = unitVector(fresh);
    await index.search(missPlan.partition, vector, 0.999);
    await index.add(missPlan.partition, { vector, answerKey: `fresh${i}` }, 3_600_000, entries + 1);
    miss.push(Number(process.hrtime.bigint() - start) / 1000);
    start = process.hrtime.bigint();
    const hitPlan = semanticRequest(keyInput('Where is my order?'), policy);
    await index.search(hitPlan.partition, unitVector(Array.from(stored)), 0.9);
    hit.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return { miss: median(miss), hit: median(hit) };
}

const stageRows = [];
for (const dimensions of [256, 1536]) {
  for (const entries of [1, 16, 256, 4096]) {
    const result = await inProcess(dimensions, entries);
    stageRows.push(`| ${dimensions} | ${entries} | ${fmt(result.miss)} | ${fmt(result.hit)} |`);
  }
}

// --- 1b. the shared index in Redis (when redis-server is installed) ---------------------------
// A lookup reads the whole partition (LRANGE) and scores it in the gateway: its cost grows with
// the bytes of the partition, entries x (dimensions x 4 x 4/3 base64 + ~80).
const redisRows = [];
if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const redisServer = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const { connectRedis } = await import(join(repoRoot, 'gateway/dist/src/redis/redis-connection.js'));
  const { RedisSemanticIndex } = await import(join(repoRoot, 'gateway/dist/src/cache/semantic/redis-semantic-index.js'));
  const { GovernanceMetrics } = await import(join(repoRoot, 'gateway/dist/src/governance/governance-metrics.js'));
  const { Registry } = await import('prom-client');
  const { createLogger } = await import('@switchyard/compiler');
  const quiet = createLogger({ write: () => undefined });
  const redis = connectRedis({
    url: `redis://127.0.0.1:${port}`,
    timeoutMs: 2_000,
    logger: quiet,
    metrics: new GovernanceMetrics(new Registry()),
  });
  try {
    await redis.waitReady(5_000);
    const index = new RedisSemanticIndex({ redis, logger: quiet, nowMs: () => Date.now() });
    for (const dimensions of [256, 1536]) {
      for (const entries of [16, 256]) {
        const partition = `bench-${dimensions}-${entries}`;
        for (let i = 0; i < entries; i++)
          await index.add(
            partition,
            { vector: unitVector(randomValues(dimensions, i)), answerKey: `k${i}`.padEnd(64, '0') },
            3_600_000,
            4096,
          );
        const query = unitVector(randomValues(dimensions, 0));
        const lookups = [];
        const adds = [];
        for (let i = 0; i < Math.min(ITERATIONS, 300); i++) {
          let start = process.hrtime.bigint();
          await index.search(partition, query, 0.9);
          lookups.push(Number(process.hrtime.bigint() - start) / 1000);
          start = process.hrtime.bigint();
          await index.add(
            partition,
            { vector: unitVector(randomValues(dimensions, 5000 + i)), answerKey: `n${i}`.padEnd(64, '0') },
            3_600_000,
            entries,
          );
          adds.push(Number(process.hrtime.bigint() - start) / 1000);
        }
        redisRows.push(`| ${dimensions} | ${entries} | ${fmt(median(lookups))} | ${fmt(median(adds))} |`);
      }
    }
  } finally {
    await redis.close();
    redisServer.kill();
  }
}

// --- 2. through the gateway --------------------------------------------------------------------
const upstream = await startProcess([join(here, 'mock-openai-upstream.mjs')], (m) => typeof m.port === 'number');
const upstreamUrl = `http://127.0.0.1:${upstream.info.port}`;
const configDir = mkdtempSync(join(tmpdir(), 'switchyard-semantic-bench-'));
const backend = (name) => ({
  name,
  provider: 'openai',
  model: 'bench-upstream-model',
  baseURL: `${upstreamUrl}/v1`,
  credentials: [{ secretRef: { name: 'bench-upstream', key: 'apiKey' } }],
});
const route = (name, spec) => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name },
  spec: { model: name, ...spec },
});
writeFileSync(
  join(configDir, 'bench.yaml'),
  [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bench-upstream' }, stringData: { apiKey: 'sk-upstream-bench-not-a-real-key' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bench-key' }, stringData: { key: KEY } },
    { apiVersion: 'switchyard.dev/v1alpha1', kind: 'VirtualKey', metadata: { name: 'bench' }, spec: { secretName: 'bench-key' } },
    route('embedder', { backends: [{ name: 'mock-embedder', provider: 'mock', model: 'mock-embedding' }] }),
    route('plain', { backends: [backend('plain')] }),
    route('exact', { backends: [backend('exact')], cache: { ttl: '1h' } }),
    route('semantic', { backends: [backend('semantic')], cache: { ttl: '1h', semantic: { embeddingModel: 'embedder' } } }),
  ]
    .map((o) => JSON.stringify(o))
    .join('\n---\n'),
);
const gateway = await startProcess(
  [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
  (m) => m.msg === 'listening',
  { SWITCHYARD_LOG_LEVEL: 'warn' },
);
const pool = new Pool(`http://127.0.0.1:${gateway.info.port}`, { connections: 1 });

async function timed(path, body, expectCache) {
  const start = process.hrtime.bigint();
  const response = await pool.request({
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });
  await response.body.arrayBuffer();
  const us = Number(process.hrtime.bigint() - start) / 1000;
  if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
  if (expectCache !== undefined && response.headers['x-switchyard-cache'] !== expectCache)
    throw new Error(`expected ${expectCache}, got ${response.headers['x-switchyard-cache']}`);
  return us;
}
const chat = (model, text) => ({ model, messages: [{ role: 'user', content: text }] });
/** A question no other shares a word with: made-up words from the request's number, so misses stay misses. */
const fresh = (i) =>
  `How do I configure the ${Array.from({ length: 4 }, (_, k) => `zq${((i + 7) * 7919 + k * 104729) % 1000003}x`).join(' ')} feature?`;
const STORED = 'How do I remove duplicate entries from an array in JavaScript?';
const PARAPHRASES = [
  'How can I delete duplicate entries from a JavaScript array?',
  "What's the way to remove the duplicate entries of an array in JavaScript?",
];

const cases = {
  upstream: (i) => timed('/v1/chat/completions', chat('plain', `question ${i}`)),
  'exact hit': () => timed('/v1/chat/completions', chat('exact', STORED), 'hit'),
  'semantic hit': (i) => timed('/v1/chat/completions', chat('semantic', PARAPHRASES[i % 2]), 'semantic-hit'),
  // In a partition of its own (a system prompt): its entries must not push the stored question out of the hits' partition.
  'semantic miss': (i) =>
    timed(
      '/v1/chat/completions',
      {
        model: 'semantic',
        messages: [
          { role: 'system', content: 'Fresh questions.' },
          { role: 'user', content: fresh(i) },
        ],
      },
      'miss',
    ),
  'exact-only miss': (i) =>
    timed(
      '/v1/chat/completions',
      {
        model: 'exact',
        messages: [
          { role: 'system', content: 'Fresh questions.' },
          { role: 'user', content: fresh(i) },
        ],
      },
      'miss',
    ),
  'embedding call alone': (i) => timed('/v1/embeddings', { model: 'embedder', input: fresh(i) }),
};
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
try {
  // Store the answers the hits replay, then warm up.
  await timed('/v1/chat/completions', chat('exact', STORED));
  await timed('/v1/chat/completions', chat('semantic', STORED));
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 200; i++) for (const run of Object.values(cases)) await run(REQUESTS + i);
  for (let i = 0; i < REQUESTS; i++) for (const [name, run] of Object.entries(cases)) samples[name].push(await run(i));
} finally {
  await pool.close();
  await stopProcess(gateway.child);
  await stopProcess(upstream.child);
}
const medians = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, median(list)]));

console.log(`## The semantic cache (\`node bench/semantic-cache-overhead.mjs\`)\n`);
console.log('In process, the semantic stage around the embedding call (median per request):\n');
console.log('| dimensions | entries in the partition | miss: digest, normalize, search, add | hit: digest, normalize, search |');
console.log('|---|---|---|---|');
for (const row of stageRows) console.log(row);
if (redisRows.length > 0) {
  console.log('\nThe shared index in Redis (local redis-server), median per operation:\n');
  console.log('| dimensions | entries in the partition | lookup (LRANGE, decode, score) | add (one script) |');
  console.log('|---|---|---|---|');
  for (const row of redisRows) console.log(row);
}
console.log(`\nThrough the gateway, ${REQUESTS} requests per case alternating on one connection (median):\n`);
console.log('| case | median |');
console.log('|---|---|');
for (const [name, value] of Object.entries(medians)) console.log(`| ${name} | ${fmt(value)} |`);
console.log(
  `\nsemantic hit / upstream: ${(medians['semantic hit'] / medians.upstream).toFixed(2)}; semantic hit - exact hit: ${fmt(medians['semantic hit'] - medians['exact hit'])}; semantic miss - exact-only miss: ${fmt(medians['semantic miss'] - medians['exact-only miss'])}`,
);
