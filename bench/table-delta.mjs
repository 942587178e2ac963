// Table-stream deltas at cluster scale: bytes on the wire for a one-key and a one-route change
// next to the full table, the operator's cost to hash and diff a table, and the gateway's cost to
// apply a delta against a full table. The cluster is the compile-scale bench's (buildInput).
// Times are CPU milliseconds of this process (medians of --runs).
//
//   node --expose-gc bench/table-delta.mjs [--routes 1000] [--keys 10000] [--budgets 500] [--runs 5] [--json]
import { join, dirname } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { buildInput } from './compile-scale.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (path) => import(pathToFileURL(join(repoRoot, path)).href);
const compiler = await load('compiler/dist/src/index.js');
const { TableStreamServer } = await load('operator/dist/src/table-server/table-stream-server.js');
const messages = await load('gateway/dist/src/control-plane/table-stream-messages.js');
const { TableHolder } = await load('gateway/dist/src/table/table-holder.js');
const { createProviderRegistry } = await load('gateway/dist/src/providers/registry.js');

const options = { routes: 1000, keys: 10000, budgets: 500, namespaces: 20, runs: 5, json: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '');
  if (name === 'json') options.json = true;
  else if (name in options) options[name] = Number(argv[++i]);
  else throw new Error(`unknown argument ${argv[i]}`);
}

const gc = () => globalThis.gc?.();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
// CPU time of this process, not wall time: on a shared machine wall time mostly measures the neighbours.
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** The data line of an SSE frame. */
const eventData = (frame) => /\ndata: (.*)\n\n$/s.exec(frame.toString('utf8'))[1];

const input = buildInput(options);
let version = 0;
const compile = () => compiler.compileRoutingTable({ ...input, version: ++version, clock: () => new Date(version * 1000) });

const server = new TableStreamServer({ authenticate: async () => ({ ok: false, status: 401, reason: 'bench' }), replicaId: 'bench' });
const started = cpuNow();
const v1 = compile();
const compileMs = cpuNow() - started;
const p1 = server.publish(v1.table, v1.index ?? v1.tableJson);

// One key: a label changes (its Budgets and namespace stay the same).
input.virtualKeys[Math.floor(options.keys / 2)].metadata.labels.tier = 'platinum';
const v2 = compile();
const p2 = server.publish(v2.table, v2.index ?? v2.tableJson);
// One route: its total timeout changes.
const route = input.routes[Math.floor(options.routes / 2) + 1];
route.spec = { ...route.spec, timeouts: { ...route.spec.timeouts, total: '120s' } };
const v3 = compile();
const p3 = server.publish(v3.table, v3.index ?? v3.tableJson);
server.close();
if (!p2.delta || !p3.delta) throw new Error('no delta was built');

/** What publish adds per version: hash every entry of the new table, diff against the previous index. */
function operatorCost() {
  const index = [];
  const diff = [];
  let before = compiler.indexTable(v2.table);
  for (let run = 0; run < options.runs; run++) {
    gc();
    let t = cpuNow();
    const after = compiler.indexTable(v3.table);
    index.push(cpuNow() - t);
    t = cpuNow();
    compiler.diffTables(before, after, v3.table);
    diff.push(cpuNow() - t);
    before = compiler.indexTable(v2.table);
  }
  return { index: round(median(index)), diff: round(median(diff)) };
}

const holder = new TableHolder(createProviderRegistry());
async function gatewayApply(fullFrame, deltaFrame, base) {
  const full = [];
  const delta = [];
  const materialize = [];
  for (let run = 0; run < options.runs; run++) {
    gc();
    let t = cpuNow();
    const decoded = await messages.decodeTableMessage(eventData(fullFrame));
    full.push(cpuNow() - t);
    // A fresh base each run, decoded and loaded the way the gateway got it before the delta came.
    const baseDecoded = await messages.decodeTableMessage(eventData(base.frame));
    holder.load(baseDecoded.table);
    gc();
    t = cpuNow();
    const d = await messages.decodeDeltaMessage(eventData(deltaFrame));
    const applied = compiler.applyTableChanges(baseDecoded.table, baseDecoded.digest, d.changes, d.message);
    delta.push(cpuNow() - t);
    if (applied.digest !== d.message.digest || applied.table.hash !== decoded.table.hash) throw new Error('delta did not verify');
    t = cpuNow();
    holder.load(applied.table);
    materialize.push(cpuNow() - t);
  }
  return { fullDecodeMs: round(median(full)), deltaDecodeApplyMs: round(median(delta)), materializeMs: round(median(materialize)) };
}
const keyApply = await gatewayApply(p2.frame, p2.delta.frame, p1);
const routeApply = await gatewayApply(p3.frame, p3.delta.frame, p2);

const result = {
  input: { routes: options.routes, keys: options.keys, budgets: options.budgets },
  compileMs: round(compileMs),
  table: {
    fullFrameBytes: p1.frame.length,
    jsonBytes: p1.encoded?.jsonBytes ?? p1.jsonBytes,
    gzipBytes: p1.encoded?.gzipBytes ?? p1.gzipBytes,
  },
  operatorIndexAndDiffMs: operatorCost(),
  oneKey: { deltaFrameBytes: p2.delta.frame.length, fullFrameBytes: p2.frame.length, ...keyApply },
  oneRoute: { deltaFrameBytes: p3.delta.frame.length, fullFrameBytes: p3.frame.length, ...routeApply },
  rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
};
if (options.json) console.log(JSON.stringify(result, null, 2));
else {
  const r = result;
  console.log(
    `${r.input.routes} routes, ${r.input.keys} keys, ${r.input.budgets} budgets: compile ${r.compileMs} ms; table ${r.table.jsonBytes} B JSON, full event ${r.table.fullFrameBytes} B`,
  );
  console.log(`operator per version: hash every entry ${r.operatorIndexAndDiffMs.index} ms, diff ${r.operatorIndexAndDiffMs.diff} ms`);
  for (const [name, x] of [
    ['one key', r.oneKey],
    ['one route', r.oneRoute],
  ])
    console.log(
      `${name}: delta ${x.deltaFrameBytes} B vs full ${x.fullFrameBytes} B; gateway decode ${x.fullDecodeMs} ms full vs ${x.deltaDecodeApplyMs} ms delta decode+apply+verify; materialize ${x.materializeMs} ms either way`,
    );
  console.log(`rss ${r.rssMb} MB`);
}
