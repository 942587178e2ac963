// The semantic cache's quality evaluation: every labelled pair of semantic-eval/pairs.jsonl through the real
// gateway and its real cache (docs/cache.md, "How good is a semantic hit"). For each pair, A is
// asked (a miss, stored), then B: the similarity of B's semantic hit (header
// x-switchyard-cache-similarity) is the pair's score; a miss scores 0. The route's threshold is
// set near 0 so every score is seen; precision and recall are then computed per threshold.
// Each pair gets its own system prompt, so pairs never see each other's entries (different
// partitions), exactly as two unrelated conversations would not.
//
// Usage: npm run build, then `node bench/semantic-eval.mjs` (the mock embedding model).
// Against a real embedding model, give the embedding backend as JSON and its API key:
//   SEMANTIC_EVAL_BACKEND='{"name":"oa","provider":"openai","model":"text-embedding-3-small"}' \
//   SEMANTIC_EVAL_API_KEY=sk-... node bench/semantic-eval.mjs
// (the key goes into a Secret `eval-provider`, key `apiKey`, which the backend's credentials read).
// SEMANTIC_EVAL_LIMIT=<n> evaluates only the first n pairs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, stopProcess } from './bench-support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const KEY = 'sk-sy-semanticeval00000000000000000000000';
const THRESHOLDS = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

const pairs = readFileSync(join(here, 'semantic-eval', 'pairs.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line))
  .slice(0, Number(process.env.SEMANTIC_EVAL_LIMIT ?? Number.POSITIVE_INFINITY));

function embedderBackend() {
  const custom = process.env.SEMANTIC_EVAL_BACKEND;
  if (custom === undefined) return { name: 'mock-embedder', provider: 'mock', model: 'mock-embedding' };
  const backend = JSON.parse(custom);
  if (process.env.SEMANTIC_EVAL_API_KEY !== undefined && backend.credentials === undefined)
    backend.credentials = [{ secretRef: { name: 'eval-provider', key: 'apiKey' } }];
  return backend;
}

function manifests() {
  const doc = (object) => JSON.stringify(object);
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'eval-key' }, stringData: { key: KEY } },
    { apiVersion: 'switchyard.dev/v1alpha1', kind: 'VirtualKey', metadata: { name: 'eval' }, spec: { secretName: 'eval-key' } },
    {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ModelRoute',
      metadata: { name: 'eval-embedder' },
      spec: { model: 'eval-embedder', backends: [embedderBackend()] },
    },
    {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ModelRoute',
      metadata: { name: 'eval-chat' },
      spec: {
        model: 'eval-chat',
        backends: [{ name: 'mock-chat', provider: 'mock', model: 'mock-chat' }],
        cache: { ttl: '1h', semantic: { embeddingModel: 'eval-embedder', threshold: 0.001, maxTurnChars: 32768 } },
      },
    },
  ];
  if (process.env.SEMANTIC_EVAL_API_KEY !== undefined)
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'eval-provider' },
      stringData: { apiKey: process.env.SEMANTIC_EVAL_API_KEY },
    });
  return objects.map(doc).join('\n---\n');
}

async function ask(url, system, question) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({
      model: 'eval-chat',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: question },
      ],
    }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`status ${response.status}: ${JSON.stringify(body)}`);
  return {
    cache: response.headers.get('x-switchyard-cache'),
    similarity: Number(response.headers.get('x-switchyard-cache-similarity') ?? 0),
    text: body.choices[0].message.content,
  };
}

const configDir = mkdtempSync(join(tmpdir(), 'switchyard-semantic-eval-'));
writeFileSync(join(configDir, 'eval.yaml'), manifests());
const gateway = await startProcess(
  [join(repoRoot, 'bin', 'switchyard.mjs'), 'gateway', '--config', configDir, '--port', '0', '--admin-port', '0'],
  (m) => m.msg === 'listening',
  { SWITCHYARD_LOG_LEVEL: 'warn' },
);
const url = `http://127.0.0.1:${gateway.info.port}`;
const scored = [];
try {
  for (const [index, pair] of pairs.entries()) {
    const system = `semantic evaluation, pair ${index}`;
    const first = await ask(url, system, pair.a);
    // The store follows the answer; an exact hit on A shows it (and its vector) is in.
    for (let i = 0; i < 50 && (await ask(url, system, pair.a)).cache !== 'hit'; i++) await new Promise((r) => setTimeout(r, 10));
    const second = await ask(url, system, pair.b);
    const score = second.cache === 'semantic-hit' ? second.similarity : 0;
    if (second.cache === 'semantic-hit' && second.text !== first.text)
      throw new Error(`pair ${index}: a semantic hit served another answer`);
    scored.push({ ...pair, score });
  }
} finally {
  await stopProcess(gateway.child);
}

const positives = scored.filter((p) => p.label === 'hit').length;
console.log(`${scored.length} pairs (${positives} should hit, ${scored.length - positives} must not)\n`);
console.log('| threshold | precision | recall | false hits (negation / number / entity / language) |');
console.log('|---|---|---|---|');
for (const threshold of THRESHOLDS) {
  const hits = scored.filter((p) => p.score >= threshold);
  const truePositives = hits.filter((p) => p.label === 'hit').length;
  const falseHits = hits.filter((p) => p.label === 'miss');
  const byKind = ['negation', 'number', 'entity', 'language'].map((kind) => falseHits.filter((p) => p.kind === kind).length).join(' / ');
  const precision = hits.length === 0 ? 1 : truePositives / hits.length;
  console.log(`| ${threshold} | ${precision.toFixed(3)} | ${(truePositives / positives).toFixed(3)} | ${falseHits.length} (${byKind}) |`);
}
if (process.env.SEMANTIC_EVAL_VERBOSE === '1')
  for (const p of scored.sort((a, b) => b.score - a.score)) console.log(p.score.toFixed(4), p.label, p.kind, `${p.a} | ${p.b}`);
