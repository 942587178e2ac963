#!/usr/bin/env node
// What the operator's table compilation holds per object between compiles, in heap bytes after GC:
// node --expose-gc bench/status-state.mjs [--keys 20000] [--routes 2000] [--budgets 200] [--operator <operator/dist>]
//
// Runs the operator's TableCompilation (operator/src/reconcile/table-compilation.ts) over a
// synthetic cache, changes one key and compiles again (the steady state), then takes its status
// state apart: the maps it keeps per object (diagnostics by key, status fields, and before
// 2026-12-07 the per-object status text), the diagnostics themselves (the compiler's objects), and
// the compile state (CompileState, what the next compile reuses). `--operator` points at another
// build (a copy of an older operator/dist whose @switchyard/compiler resolves to the matching
// compiler) so two versions can be compared on the same input.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const options = { keys: 20000, routes: 2000, budgets: 200, operator: join(repoRoot, 'operator', 'dist') };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const name = args[i];
  const value = args[i + 1];
  if (name === '--operator') options.operator = resolve(value);
  else if (name === '--keys' || name === '--routes' || name === '--budgets') options[name.slice(2)] = Number(value);
  else throw new Error(`unknown argument ${name}`);
}
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const { TableCompilation } = await import(pathToFileURL(join(options.operator, 'src', 'reconcile', 'table-compilation.js')).href);
// The compiler the operator build itself resolves, so that kinds and objects match it.
const compilerPath = createRequire(join(options.operator, 'src', 'reconcile', 'table-compilation.js')).resolve('@switchyard/compiler');
const compiler = await import(pathToFileURL(compilerPath).href);

const API = 'switchyard.dev/v1alpha1';
const NAMESPACES = Array.from({ length: 10 }, (_, i) => `team-${i}`);
const created = (i) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

function key(i, generation = 1) {
  const namespace = NAMESPACES[i % NAMESPACES.length];
  return {
    apiVersion: API,
    kind: 'VirtualKey',
    metadata: {
      name: `key-${i}`,
      namespace,
      uid: `uid-key-${i}`,
      generation,
      creationTimestamp: created(i),
      labels: { tier: `tier-${i % 7}` },
    },
    spec: { secretName: `key-${i}-secret` },
  };
}

function input() {
  const objects = [];
  const secrets = [];
  for (let i = 0; i < options.routes; i++) {
    const namespace = NAMESPACES[i % NAMESPACES.length];
    objects.push({
      apiVersion: API,
      kind: 'ModelRoute',
      metadata: { name: `route-${i}`, namespace, uid: `uid-route-${i}`, generation: 1, creationTimestamp: created(i) },
      spec: { model: `model-${i}`, backends: [{ provider: 'openai', model: 'gpt-4o-mini', baseURL: 'https://api.example.test/v1' }] },
    });
  }
  for (let i = 0; i < options.keys; i++) {
    objects.push(key(i));
    const data = { key: Buffer.from(`sk-sy-${i}-${'x'.repeat(32)}`).toString('base64') };
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `key-${i}-secret`, namespace: NAMESPACES[i % NAMESPACES.length] },
      data,
    });
  }
  for (let i = 0; i < options.budgets; i++) {
    objects.push({
      apiVersion: API,
      kind: 'Budget',
      metadata: { name: `budget-${i}`, namespace: NAMESPACES[i % NAMESPACES.length], generation: 1, creationTimestamp: created(i) },
      spec: { selector: { matchLabels: { tier: `tier-${i % 7}` } }, limit: '100' },
    });
  }
  return { objects, secrets };
}

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const { objects, secrets } = input();
const publisher = {
  publish: (table, index) => ({ version: table.version, hash: table.hash, table, digest: index?.digest ?? '', frame: Buffer.alloc(0) }),
};
const tracker = { remember: () => {}, setCurrentObjects: () => {} };
const compilation = new TableCompilation({
  kinds: compiler.BUILTIN_KINDS,
  sharedNamespaces: [],
  publisher,
  tracker,
  logger: compiler.silentLogger,
  initialVersion: 0,
});
const before = heap();
const started = process.cpuUsage();
compilation.run(objects, secrets);
const firstCpu = process.cpuUsage(started);
objects[options.routes + 1] = key(1, 2);
const changeStarted = process.cpuUsage();
const queued = compilation.run(objects, secrets);
const changeCpu = process.cpuUsage(changeStarted);
if (queued.length !== 1) throw new Error(`expected one status write after a one-key change, got ${queued.length}`);
const all = heap();

const state = compilation.current;
const count = state.diagnostics.size;
// The status maps alone: the diagnostics and field records stay reachable from here.
const kept = { diagnostics: [...state.diagnostics.values()], fields: [...state.statusFields.values()] };
for (const name of ['diagnostics', 'statusFields', 'statusInputs']) if (state[name] instanceof Map) state[name] = new Map();
const withoutMaps = heap();
kept.diagnostics = [];
const withoutDiagnostics = heap();
compilation.compileState = undefined;
const withoutCompileState = heap();
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const per = (bytes) => `${Math.round(bytes / count)} B per object`;
console.log(`operator: ${options.operator}`);
console.log(`${options.keys} keys, ${options.routes} routes, ${options.budgets} Budgets: ${count} objects with a status`);
console.log(
  `compile CPU: first ${Math.round((firstCpu.user + firstCpu.system) / 1000)} ms, one-key change (with the status comparison) ${Math.round((changeCpu.user + changeCpu.system) / 1000)} ms`,
);
console.log(`heap held by the table compilation: ${mb(all - before)} (${per(all - before)})`);
console.log(`status maps (diagnostics by key, status fields, status inputs): ${mb(all - withoutMaps)} (${per(all - withoutMaps)})`);
console.log(`the diagnostics themselves: ${mb(withoutMaps - withoutDiagnostics)} (${per(withoutMaps - withoutDiagnostics)})`);
console.log(
  `compile state (CompileState): ${mb(withoutDiagnostics - withoutCompileState)} (${per(withoutDiagnostics - withoutCompileState)})`,
);
console.log(`kept: ${kept.fields.length} status field records`);
