// Compiler at cluster scale: 1,000 ModelRoutes, 10,000 VirtualKeys, their Budgets and Secrets,
// built in memory the way the operator hands them over (API-server objects: base64 Secret data,
// creationTimestamps, generations). Times compileRoutingTable (median of N runs after warm-up),
// the table's serialization as the operator publishes it (JSON + gzip), and reports the table's
// size and the heap.
//
//   node --expose-gc bench/compile-scale.mjs [--runs 15] [--warmup 3] [--routes 1000] [--keys 10000]
//        [--budgets 500] [--schemas] [--incremental] [--rounds 5] [--compiler <dir with src/index.js>] [--json]
//
// `--schemas` also times the standalone path (every object validated and defaulted against the
// CRDs first). `--compiler` points at another build of the compiler (e.g. a copy of an older
// compiler/dist) so two versions can be compared on the same input.
//
// `--incremental` also times what one change costs the operator: one VirtualKey, one ModelRoute,
// one Budget or one key Secret replaced by a changed copy (as the informer cache does), then the
// compile handed the previous compile's state (CompileInput.previous) and the table-stream index
// of the new table: the compiler's own (CompileResult.index) where it hands one out, else built
// from the previous index (indexTable), as the publisher of that version did. Median of --rounds
// per change. A compiler without incremental compilation ignores both and compiles and indexes
// everything, which is the comparison. The last incremental table is checked against a cold compile.
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

function parseArgs(argv) {
  const options = {
    runs: 15,
    warmup: 3,
    routes: 1000,
    keys: 10000,
    budgets: 500,
    namespaces: 20,
    schemas: false,
    incremental: false,
    rounds: 5,
    json: false,
    compiler: join(repoRoot, 'compiler', 'dist'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--runs':
        options.runs = Number(value());
        break;
      case '--warmup':
        options.warmup = Number(value());
        break;
      case '--routes':
        options.routes = Number(value());
        break;
      case '--keys':
        options.keys = Number(value());
        break;
      case '--budgets':
        options.budgets = Number(value());
        break;
      case '--namespaces':
        options.namespaces = Number(value());
        break;
      case '--compiler':
        options.compiler = resolve(value());
        break;
      case '--schemas':
        options.schemas = true;
        break;
      case '--incremental':
        options.incremental = true;
        break;
      case '--rounds':
        options.rounds = Number(value());
        break;
      case '--json':
        options.json = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  for (const name of ['runs', 'routes', 'keys', 'budgets', 'namespaces', 'rounds']) {
    if (!Number.isInteger(options[name]) || options[name] < 1) throw new Error(`--${name} must be a positive integer`);
  }
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new Error('--warmup must be an integer >= 0');
  return options;
}

const API = 'switchyard.dev/v1alpha1';
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
// Deterministic creation times spread over a year, so the age sort has real work to do.
const BASE_TIME = Date.UTC(2025, 0, 1);
const createdAt = (i) => new Date(BASE_TIME + ((i * 7919) % 31_536_000) * 1000).toISOString().replace('.000Z', 'Z');

function meta(name, namespace, i, labels) {
  return {
    name,
    namespace,
    generation: 1 + (i % 5),
    creationTimestamp: createdAt(i),
    uid: `uid-${namespace}-${name}`,
    resourceVersion: String(1000 + i),
    ...(labels ? { labels } : {}),
  };
}

/** The whole cluster's Switchyard objects. Namespaces `ns-0..` hold tenants; `shared` is shared. */
export function buildInput({ routes: routeCount, keys: keyCount, budgets: budgetCount, namespaces }) {
  const nsOf = (i) => `ns-${i % namespaces}`;
  const secrets = [];
  for (let n = 0; n < namespaces; n++) {
    const namespace = `ns-${n}`;
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('openai', namespace, n),
      type: 'Opaque',
      data: { apiKey: b64(`sk-openai-${namespace}-0000000000000000`) },
    });
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('anthropic', namespace, n),
      type: 'Opaque',
      data: { apiKey: b64(`sk-ant-${namespace}-00000000000000000`) },
    });
  }
  secrets.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta('openai', 'shared', 0),
    type: 'Opaque',
    data: { apiKey: b64('sk-openai-shared-000000000000000') },
  });

  const routes = [];
  for (let i = 0; i < routeCount; i++) {
    // One route in 50 lives in the shared namespace, visible to every key.
    const shared = i % 50 === 0;
    const namespace = shared ? 'shared' : nsOf(i);
    const model = `model-${i}`;
    const backends = [
      {
        name: 'openai-main',
        provider: 'openai',
        model: i % 3 === 0 ? 'gpt-4o-2024-08-06' : 'gpt-4o-mini',
        credentials: [{ secretRef: { name: 'openai', key: 'apiKey' }, weight: 1 }],
        priority: 0,
        weight: 3,
      },
    ];
    if (!shared) {
      backends.push({
        name: 'anthropic-fallback',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5-20250929',
        credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
        priority: 1,
        headers: { 'x-team': `team-${i % 10}` },
      });
    }
    if (i % 10 === 0)
      backends.push({
        name: 'mock-canary',
        provider: 'mock',
        model: 'mock-1',
        priority: 2,
        mock: { latency: '20ms', failureRate: '0.01' },
      });
    routes.push({
      apiVersion: API,
      kind: 'ModelRoute',
      metadata: meta(`route-${i}`, namespace, i),
      spec: {
        model,
        aliases: [`alias-${i}`],
        backends,
        retry: { attempts: 2, backoff: { initial: '250ms', max: '4s' }, on: ['RateLimited', 'ServerError'] },
        timeouts: { connect: '5s', firstByte: '30s', total: '300s', streamIdle: '60s' },
        ...(i % 4 === 1 && i + 4 < routeCount ? { fallbackModels: [`model-${i + 4}`] } : {}),
      },
    });
  }

  const teams = 25;
  const virtualKeys = [];
  for (let i = 0; i < keyCount; i++) {
    const namespace = nsOf(i);
    const name = `key-${i}`;
    const labels = { team: `team-${i % teams}`, tier: ['gold', 'silver', 'free'][i % 3], customer: `customer-${i % 400}` };
    virtualKeys.push({
      apiVersion: API,
      kind: 'VirtualKey',
      metadata: meta(name, namespace, i, labels),
      spec: {
        secretName: `${name}-secret`,
        ...(i % 2 === 0 ? { allowedModels: ['model-*', 'alias-1*'] } : {}),
        ...(i % 3 === 0 ? { rateLimit: { requestsPerMinute: 600, tokensPerMinute: 100000 } } : {}),
        ...(i % 7 === 0 ? { expiresAt: '2027-01-01T00:00:00Z' } : {}),
      },
    });
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${name}-secret`, namespace, i),
      type: 'Opaque',
      data: { key: b64(`sk-sy-${namespace}-${name}-${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}abcdef`) },
    });
  }

  const budgets = [];
  for (let i = 0; i < budgetCount; i++) {
    const namespace = nsOf(i);
    let selector;
    switch (i % 4) {
      case 0:
        selector = { matchLabels: { team: `team-${i % teams}` } };
        break;
      case 1:
        selector = { matchLabels: { customer: `customer-${i % 400}` } };
        break;
      case 2:
        selector = {
          matchLabels: { team: `team-${i % teams}` },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }],
        };
        break;
      default:
        selector =
          i % 20 === 3
            ? {}
            : {
                matchExpressions: [
                  { key: 'tier', operator: 'NotIn', values: ['free'] },
                  { key: 'customer', operator: 'Exists' },
                ],
              };
    }
    budgets.push({
      apiVersion: API,
      kind: 'Budget',
      metadata: meta(`budget-${i}`, namespace, i),
      spec: {
        selector,
        limit: `${100 + i}.50`,
        period: ['Daily', 'Weekly', 'Monthly', 'Total'][i % 4],
        enforcement: i % 5 === 0 ? 'Warn' : 'Block',
      },
    });
  }
  return { routes, virtualKeys, budgets, secrets, sharedNamespaces: ['shared'] };
}

const median = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (samples, p) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))];

function gc() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

// Wall time and the process's CPU time (user + system, all threads: GC helpers included). On a
// shared machine the CPU time moves less than the wall time, which also counts waiting for a core.
function time(runs, warmup, fn) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  const cpuSamples = [];
  let last;
  for (let i = 0; i < runs; i++) {
    gc();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    last = fn();
    samples.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpuSamples.push((cpu.user + cpu.system) / 1000);
  }
  return {
    median: median(samples),
    p90: percentile(samples, 0.9),
    min: Math.min(...samples),
    cpuMedian: median(cpuSamples),
    samples,
    last,
  };
}

/** Replaces `list[at]` by a changed copy, as an informer cache does when an object changes. */
function replaceAt(list, at, change) {
  const copy = structuredClone(list[at]);
  copy.metadata.generation = (copy.metadata.generation ?? 1) + 1;
  change(copy);
  list[at] = copy;
}

const CHANGES = {
  key: (input, round) =>
    replaceAt(input.virtualKeys, (round * 7919) % input.virtualKeys.length, (key) => {
      key.spec.disabled = !key.spec.disabled;
    }),
  route: (input, round) =>
    replaceAt(input.routes, (round * 613) % input.routes.length, (route) => {
      route.spec.aliases = [`renamed-${round}-${route.metadata.name}`];
    }),
  budget: (input, round) =>
    replaceAt(input.budgets, (round * 97) % input.budgets.length, (budget) => {
      budget.spec.limit = `${200 + round}.25`;
    }),
  secret: (input, round) => {
    const keys = input.secrets.filter((secret) => secret.metadata.name.startsWith('key-'));
    const at = input.secrets.indexOf(keys[(round * 7919) % keys.length]);
    const copy = structuredClone(input.secrets[at]);
    copy.data = { key: b64(`sk-sy-rotated-${round}-${copy.metadata.name}-0123456789abcdef`) };
    input.secrets[at] = copy;
  },
};

/**
 * Per change kind: median wall and CPU time of one incremental compile plus the index of the new
 * table (and of each part). The input is changed in place, one object per round.
 */
function timeIncremental(compiler, input, options, clock) {
  let version = 1000;
  let result = compiler.compileRoutingTable({ ...input, version: ++version, clock });
  let index = result.index ?? compiler.indexTable(result.table);
  const timings = {};
  for (const [name, change] of Object.entries(CHANGES)) {
    const total = [];
    const totalCpu = [];
    const compileCpu = [];
    const indexCpu = [];
    for (let round = 0; round < options.rounds; round++) {
      change(input, round);
      gc();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const next = compiler.compileRoutingTable({ ...input, version: ++version, clock, previous: result.state });
      const compiled = process.cpuUsage(cpuStart);
      const nextIndex = next.index ?? compiler.indexTable(next.table, { table: result.table, index });
      total.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      totalCpu.push((cpu.user + cpu.system) / 1000);
      compileCpu.push((compiled.user + compiled.system) / 1000);
      indexCpu.push((cpu.user + cpu.system - compiled.user - compiled.system) / 1000);
      result = next;
      index = nextIndex;
    }
    timings[name] = {
      median: ms(median(total)),
      cpuMedian: ms(median(totalCpu)),
      compileCpuMedian: ms(median(compileCpu)),
      indexCpuMedian: ms(median(indexCpu)),
    };
  }
  const cold = compiler.compileRoutingTable({ ...input, version, clock });
  if (cold.table.hash !== result.table.hash || tableJsonOf(compiler, cold) !== tableJsonOf(compiler, result)) {
    throw new Error('the incremental table differs from a cold compile of the same input');
  }
  if (compiler.indexTable(cold.table).digest !== index.digest) throw new Error('the reused index differs from a fresh one');
  return timings;
}

/** The table's JSON as the operator publishes it: made on demand, or (older compilers) handed out by every compile. */
function tableJsonOf(compiler, result) {
  return typeof compiler.routingTableJson === 'function' ? compiler.routingTableJson(result.table) : result.tableJson;
}

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (value) => Math.round(value * 10) / 10;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const compiler = await import(pathToFileURL(join(options.compiler, 'src', 'index.js')).href);
  const input = buildInput(options);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  let version = 0;
  const clock = () => new Date(0);
  const compile = (extra = {}) => compiler.compileRoutingTable({ ...input, version: ++version, clock, ...extra });
  const compiled = time(options.runs, options.warmup, () => compile());
  // Heap held by one compile's table and diagnostics (not by anything else the result carries).
  compiled.last = undefined;
  gc();
  const heapBeforeTable = process.memoryUsage().heapUsed;
  const { table, diagnostics } = compile();
  gc();
  const heapWithTable = process.memoryUsage().heapUsed;
  // What the operator holds between compiles: the whole result, the state for the next compile
  // (and, in older compilers, the table's JSON) included.
  const kept = [compile()];
  gc();
  const heapWithResult = process.memoryUsage().heapUsed;
  kept.length = 0;
  gc();

  // What the operator does with a table a gateway needs whole: serialize it once, gzip it once.
  // Older compilers hand out the JSON they hashed (CompileResult.tableJson) from every compile;
  // newer ones make it on demand (routingTableJson), only for such a table.
  const serialize = time(options.runs, options.warmup, () => JSON.stringify(table));
  const json = Buffer.from(serialize.last, 'utf8');
  const fromTableJson =
    typeof compiler.routingTableJson === 'function'
      ? time(options.runs, options.warmup, () => Buffer.from(compiler.routingTableJson(table), 'utf8'))
      : undefined;
  if (fromTableJson && fromTableJson.last.length !== json.length)
    throw new Error('routingTableJson and JSON.stringify(table) differ in length');
  const gzip = time(Math.min(options.runs, 5), 1, () => gzipSync(json, { level: 6 }));
  const canonical = time(options.runs, options.warmup, () => compiler.hashTableContent(table));

  let schemas;
  if (options.schemas) {
    const crdSchemas = compiler.loadCrdSchemas(join(repoRoot, 'crds'));
    schemas = time(Math.max(3, Math.ceil(options.runs / 3)), 1, () => compile({ schemas: crdSchemas }));
    if (schemas.last.table.hash !== table.hash) throw new Error('compiling with CRD schemas gave a different table');
  }

  const incremental = options.incremental ? timeIncremental(compiler, input, options, clock) : undefined;

  const rejected = diagnostics.filter((d) => d.conditions.some((c) => c.type === 'Accepted' && c.status === 'False'));
  const result = {
    compiler: options.compiler,
    input: {
      routes: input.routes.length,
      virtualKeys: input.virtualKeys.length,
      budgets: input.budgets.length,
      secrets: input.secrets.length,
    },
    table: {
      hash: table.hash,
      routes: Object.keys(table.routes).length,
      keys: table.keys.length,
      budgets: table.budgets.length,
      namespaces: Object.keys(table.modelsByNamespace).length,
      diagnostics: diagnostics.length,
      rejected: rejected.length,
      jsonBytes: json.length,
      gzipBytes: gzip.last.length,
    },
    ms: {
      compileMedian: ms(compiled.median),
      compileP90: ms(compiled.p90),
      compileMin: ms(compiled.min),
      compileCpuMedian: ms(compiled.cpuMedian),
      hashTableContentMedian: ms(canonical.median),
      hashTableContentCpuMedian: ms(canonical.cpuMedian),
      jsonStringifyMedian: ms(serialize.median),
      ...(fromTableJson
        ? { routingTableJsonMedian: ms(fromTableJson.median), routingTableJsonCpuMedian: ms(fromTableJson.cpuMedian) }
        : {}),
      gzipMedian: ms(gzip.median),
      ...(schemas ? { compileWithSchemasMedian: ms(schemas.median), compileWithSchemasCpuMedian: ms(schemas.cpuMedian) } : {}),
    },
    ...(incremental ? { incremental } : {}),
    heapMb: {
      input: mb(heapBefore),
      withTable: mb(heapWithTable),
      tableAndDiagnostics: mb(heapWithTable - heapBeforeTable),
      wholeResult: mb(heapWithResult - heapWithTable),
      rss: mb(process.memoryUsage().rss),
    },
    runs: options.runs,
    warmup: options.warmup,
    gcBetweenRuns: typeof globalThis.gc === 'function',
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const t = result.table;
  console.log(`compiler: ${result.compiler}`);
  console.log(
    `input: ${result.input.routes} routes, ${result.input.virtualKeys} keys, ${result.input.budgets} budgets, ${result.input.secrets} secrets`,
  );
  console.log(
    `table: ${t.routes} routes, ${t.keys} keys, ${t.budgets} budgets, ${t.namespaces} key namespaces; ${t.rejected} of ${t.diagnostics} objects rejected; hash ${t.hash.slice(0, 16)}...`,
  );
  console.log(`table size: ${mb(t.jsonBytes)} MB JSON, ${mb(t.gzipBytes)} MB gzip`);
  console.log(
    `compileRoutingTable: median ${result.ms.compileMedian} ms, p90 ${result.ms.compileP90} ms, min ${result.ms.compileMin} ms; CPU median ${result.ms.compileCpuMedian} ms (${result.runs} runs after ${result.warmup} warm-up)`,
  );
  console.log(
    `  of which hashTableContent alone: median ${result.ms.hashTableContentMedian} ms, CPU median ${result.ms.hashTableContentCpuMedian} ms`,
  );
  if (schemas)
    console.log(
      `compileRoutingTable with CRD schemas: median ${result.ms.compileWithSchemasMedian} ms, CPU median ${result.ms.compileWithSchemasCpuMedian} ms`,
    );
  console.log(`serialization: JSON.stringify median ${result.ms.jsonStringifyMedian} ms, gzip median ${result.ms.gzipMedian} ms`);
  if (fromTableJson)
    console.log(
      `  the table's JSON on demand (routingTableJson): median ${result.ms.routingTableJsonMedian} ms, CPU median ${result.ms.routingTableJsonCpuMedian} ms`,
    );
  for (const [name, timing] of Object.entries(result.incremental ?? {})) {
    console.log(
      `one ${name} change, incremental compile + index: median ${timing.median} ms, CPU median ${timing.cpuMedian} ms (compile ${timing.compileCpuMedian} ms, index ${timing.indexCpuMedian} ms; ${options.rounds} rounds)`,
    );
  }
  console.log(
    `heap: ${result.heapMb.input} MB with the input, +${result.heapMb.tableAndDiagnostics} MB for table and diagnostics, +${result.heapMb.wholeResult} MB for a whole compile result (with its state); rss ${result.heapMb.rss} MB${result.gcBetweenRuns ? '' : ' (run with --expose-gc for steadier numbers)'}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
