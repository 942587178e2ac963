// What publishing one table version costs the operator at cluster scale: TableStreamServer.publish
// after a one-key change (the compile itself not counted), with no session that needs the whole
// table (every gateway takes deltas) and with one that does (a new connection, a gateway without
// deltas, a resync: the full `table` event is built, JSON + gzip + base64). The cluster is the
// compile-scale bench's (buildInput); each version is compiled incrementally from the previous
// one, as the operator does. CPU milliseconds of this process, medians of --rounds.
//
//   node --expose-gc bench/table-publish.mjs [--routes 1000] [--keys 10000] [--budgets 500] [--rounds 5]
//        [--compiler <compiler dist>] [--operator <operator dist>] [--json]
//
// `--compiler` and `--operator` point at another build (copies of an older compiler/dist and
// operator/dist, the operator's resolving @switchyard/compiler to that compiler) for a same-run
// A/B. Older publishers serialize, gzip and index every version whatever the sessions need; they
// are handed the compile's JSON (CompileResult.tableJson), newer ones its index (CompileResult.index).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildInput } from './compile-scale.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const options = {
  routes: 1000,
  keys: 10000,
  budgets: 500,
  namespaces: 20,
  rounds: 5,
  compiler: join(repoRoot, 'compiler', 'dist'),
  operator: join(repoRoot, 'operator', 'dist'),
  json: false,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '');
  if (name === 'json') options.json = true;
  else if (name === 'compiler' || name === 'operator') options[name] = resolve(argv[++i]);
  else if (name in options) options[name] = Number(argv[++i]);
  else throw new Error(`unknown argument ${argv[i]}`);
}
const compiler = await import(pathToFileURL(join(options.compiler, 'src', 'index.js')).href);
const { TableStreamServer } = await import(pathToFileURL(join(options.operator, 'src', 'table-server', 'table-stream-server.js')).href);

const gc = () => globalThis.gc?.();
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const input = buildInput(options);
let version = 0;
let result;
const compile = () => {
  result = compiler.compileRoutingTable({
    ...input,
    version: ++version,
    clock: () => new Date(version * 1000),
    ...(result?.state ? { previous: result.state } : {}),
  });
  return result;
};
/** Replaces one VirtualKey by a changed copy, as the informer cache does. */
const changeOneKey = (n) => {
  const at = (n * 7919) % input.virtualKeys.length;
  const copy = structuredClone(input.virtualKeys[at]);
  copy.metadata.generation = (copy.metadata.generation ?? 1) + 1;
  copy.spec.disabled = !copy.spec.disabled;
  input.virtualKeys[at] = copy;
};
const server = new TableStreamServer({ authenticate: async () => ({ ok: false, status: 401, reason: 'bench' }), replicaId: 'bench' });
const publish = (compiled) => server.publish(compiled.table, compiled.index ?? compiled.tableJson);

const first = compile();
gc();
let t = cpuNow();
publish(first).frame;
const firstMs = cpuNow() - t;

const deltasOnly = [];
const withFull = [];
let deltaBytes = 0;
let frameBytes = 0;
for (let round = 0; round < options.rounds * 2; round++) {
  changeOneKey(round);
  const compiled = compile();
  gc();
  t = cpuNow();
  const published = publish(compiled);
  // Every other version a session needs the whole table (what sendTable reads).
  if (round % 2 === 1) {
    frameBytes = published.frame.length;
    withFull.push(cpuNow() - t);
  } else {
    deltasOnly.push(cpuNow() - t);
    deltaBytes = published.delta?.frame.length ?? 0;
  }
}
// What the operator holds between versions when every gateway takes deltas: one more such
// version, then the heap and RSS after a full collection (the input objects included, as the
// operator's informer caches hold them).
changeOneKey(options.rounds * 2);
publish(compile());
gc();
gc();
const memory = process.memoryUsage();
server.close();
const out = {
  compiler: options.compiler,
  operator: options.operator,
  input: { routes: options.routes, keys: options.keys, budgets: options.budgets },
  firstTablePublishCpuMs: round(firstMs),
  perVersionCpuMs: { deltasOnly: round(median(deltasOnly)), withFullTable: round(median(withFull)) },
  deltaFrameBytes: deltaBytes,
  fullFrameBytes: frameBytes,
  afterDeltaVersionMb: { heapUsed: Math.round(memory.heapUsed / 1048576), rss: Math.round(memory.rss / 1048576) },
  rounds: options.rounds,
};
if (options.json) console.log(JSON.stringify(out));
else {
  console.log(`${options.operator}: ${options.routes} routes, ${options.keys} keys, ${options.budgets} budgets`);
  console.log(`first table published (full event built): ${out.firstTablePublishCpuMs} ms CPU`);
  console.log(
    `one-key change per version, CPU median: ${out.perVersionCpuMs.deltasOnly} ms when every session takes the delta, ${out.perVersionCpuMs.withFullTable} ms when a session needs the whole table (${options.rounds} rounds each)`,
  );
  console.log(`delta event ${deltaBytes} B, full table event ${frameBytes} B`);
  console.log(
    `after a version every gateway took as a delta, after GC: heap ${out.afterDeltaVersionMb.heapUsed} MB, rss ${out.afterDeltaVersionMb.rss} MB (input objects included)`,
  );
}
