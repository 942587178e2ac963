// What holds the operator's heap, from a heap snapshot (operator-scale.bench.js --heap-snapshot):
//   node --max-old-space-size=8192 operator/dist/test/bench/heap-retainers.bench.js FILE.heapsnapshot [--top 40]
// Computes the dominator tree (Cooper, Harvey and Kennedy's iterative algorithm over a reverse
// post-order; weak edges do not retain) and prints, for each instance of the operator's classes
// that hold per-object state, its retained size and that of each of its fields, largest first;
// then the constructors with the largest retained sizes that no other object of theirs holds.
// Retained size: what would be freed with the object, the figure DevTools shows.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
const file = positionals[0];
if (file === undefined) throw new Error('usage: heap-retainers.bench.js FILE.heapsnapshot [--top N]');
const TOP = Number(values.top ?? 40);

const HOLDERS = [
  'OperatorController',
  'KindWatches',
  'ResourceCache',
  'Reflector',
  'StringPool',
  'ConfigAudit',
  'TableCompilation',
  'StatusWriter',
  'AcknowledgementTracker',
  'WorkQueue',
  'SecretRelevance',
  'CompileScheduler',
  'EventRecorder',
  'TableStreamServer',
];

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const raw = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const meta = raw.snapshot.meta;
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const nodeType = meta.node_fields.indexOf('type');
const nodeName = meta.node_fields.indexOf('name');
const nodeSelf = meta.node_fields.indexOf('self_size');
const nodeEdges = meta.node_fields.indexOf('edge_count');
const edgeType = meta.edge_fields.indexOf('type');
const edgeName = meta.edge_fields.indexOf('name_or_index');
const edgeTo = meta.edge_fields.indexOf('to_node');
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const WEAK = edgeTypes.indexOf('weak');
const ELEMENT = edgeTypes.indexOf('element');
const HIDDEN = edgeTypes.indexOf('hidden');
const OBJECT = nodeTypes.indexOf('object');

const nodes = Int32Array.from(raw.nodes);
const edges = Int32Array.from(raw.edges);
const strings = raw.strings;
const count = nodes.length / NF;
const firstEdge = new Int32Array(count + 1);
for (let n = 0; n < count; n++) firstEdge[n + 1] = (firstEdge[n] as number) + (nodes[n * NF + nodeEdges] as number) * EF;
const target = (e: number): number => (edges[e + edgeTo] as number) / NF;
const retains = (e: number): boolean => edges[e + edgeType] !== WEAK;
const nameOf = (n: number): string => strings[nodes[n * NF + nodeName] as number] ?? '';
const edgeLabel = (e: number): string => {
  const type = edges[e + edgeType] as number;
  const value = edges[e + edgeName] as number;
  return type === ELEMENT || type === HIDDEN ? `[${value}]` : (strings[value] ?? '');
};

// Post-order from the root (node 0), iteratively.
const order = new Int32Array(count).fill(-1); // post-order number
const byOrder = new Int32Array(count);
let visited = 0;
{
  const stack = new Int32Array(count);
  const cursor = new Int32Array(count);
  const seen = new Uint8Array(count);
  let top = 0;
  stack[0] = 0;
  cursor[0] = firstEdge[0] as number;
  seen[0] = 1;
  while (top >= 0) {
    const n = stack[top] as number;
    const e = cursor[top] as number;
    if (e < (firstEdge[n + 1] as number)) {
      cursor[top] = e + EF;
      if (!retains(e)) continue;
      const t = target(e);
      if (seen[t] === 1) continue;
      seen[t] = 1;
      top++;
      stack[top] = t;
      cursor[top] = firstEdge[t] as number;
    } else {
      order[n] = visited;
      byOrder[visited] = n;
      visited++;
      top--;
    }
  }
}

// Predecessors (reachable ones, retaining edges), as CSR.
const predCount = new Int32Array(count + 1);
for (let n = 0; n < count; n++) {
  if ((order[n] as number) < 0) continue;
  for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += EF)
    if (retains(e)) predCount[target(e) + 1] = (predCount[target(e) + 1] as number) + 1;
}
for (let n = 0; n < count; n++) predCount[n + 1] = (predCount[n + 1] as number) + (predCount[n] as number);
const preds = new Int32Array(predCount[count] as number);
{
  const fill = predCount.slice(0, count);
  for (let n = 0; n < count; n++) {
    if ((order[n] as number) < 0) continue;
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += EF) {
      if (!retains(e)) continue;
      const t = target(e);
      preds[fill[t] as number] = n;
      fill[t] = (fill[t] as number) + 1;
    }
  }
}

// Dominators over post-order numbers.
const root = order[0] as number;
const idom = new Int32Array(visited).fill(-1);
idom[root] = root;
const intersect = (a: number, b: number): number => {
  while (a !== b) {
    while (a < b) a = idom[a] as number;
    while (b < a) b = idom[b] as number;
  }
  return a;
};
for (let changed = true; changed; ) {
  changed = false;
  for (let o = visited - 1; o >= 0; o--) {
    if (o === root) continue;
    const n = byOrder[o] as number;
    let next = -1;
    for (let p = predCount[n] as number; p < (predCount[n + 1] as number); p++) {
      const po = order[preds[p] as number] as number;
      if (po < 0 || idom[po] === -1) continue;
      next = next === -1 ? po : intersect(po, next);
    }
    if (next !== -1 && idom[o] !== next) {
      idom[o] = next;
      changed = true;
    }
  }
}

// Retained sizes: children come before their dominator in post-order.
const retained = new Float64Array(visited);
for (let o = 0; o < visited; o++) retained[o] = nodes[(byOrder[o] as number) * NF + nodeSelf] as number;
for (let o = 0; o < visited; o++)
  if (o !== root) retained[idom[o] as number] = (retained[idom[o] as number] as number) + (retained[o] as number);
const retainedOf = (n: number): number => ((order[n] as number) < 0 ? 0 : (retained[order[n] as number] as number));
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

console.log(`heap: ${mb(retained[root] as number)} MB retained from the root, ${count} nodes (${visited} reachable)`);

/** Self sizes of everything reachable from `from` (hidden classes and prototypes aside): what it holds, shared or not. */
const reachableFrom = (from: number): { bytes: number; objects: number } => {
  const seen = new Set<number>([from]);
  const queue = [from];
  let bytes = 0;
  let objects = 0;
  while (queue.length > 0) {
    const n = queue.pop() as number;
    bytes += nodes[n * NF + nodeSelf] as number;
    if (nodes[n * NF + nodeType] === OBJECT) objects++;
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += EF) {
      if (!retains(e)) continue;
      const label = edgeLabel(e);
      if (label === 'map' || label === '__proto__' || label === 'constructor') continue;
      const t = target(e);
      if (seen.has(t)) continue;
      seen.add(t);
      queue.push(t);
    }
  }
  return { bytes, objects };
};
const child = (n: number, label: string): number | undefined => {
  for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += EF) if (edgeLabel(e) === label) return target(e);
  return undefined;
};

// Each watch cache: what its store reaches (the cached objects, whoever else holds them too).
for (let n = 0; n < count; n++) {
  if (nodes[n * NF + nodeType] !== OBJECT || nameOf(n) !== 'Reflector' || (order[n] as number) < 0) continue;
  const type = child(child(n, 'options') ?? 0, 'type');
  const plural = type === undefined ? '?' : nameOf(child(type, 'plural') ?? 0);
  const store = child(n, 'store');
  if (store === undefined) continue;
  const { bytes, objects } = reachableFrom(store);
  const size = nodes[store * NF + nodeSelf];
  console.log(
    `watch cache ${plural}: reaches ${mb(bytes)} MB in ${objects} objects (store retains ${mb(retainedOf(store))} MB alone; Map self ${size})`,
  );
}

// The operator's holders, field by field.
const holderSet = new Set(HOLDERS);
for (let n = 0; n < count; n++) {
  if (nodes[n * NF + nodeType] !== OBJECT || !holderSet.has(nameOf(n)) || (order[n] as number) < 0) continue;
  const fields: Array<[string, number]> = [];
  for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += EF) {
    if (!retains(e)) continue;
    const label = edgeLabel(e);
    if (label === 'map' || label === '__proto__') continue;
    const t = target(e);
    // Only what this object dominates counts as its own.
    if (idom[order[t] as number] !== order[n]) continue;
    fields.push([`${label} (${nameOf(t)})`, retainedOf(t)]);
    if (retainedOf(t) >= 1024 * 1024 || ['compileState', 'state', 'revisions', 'byObject', 'strings'].includes(label))
      console.log(`  ${nameOf(n)}.${label}: reaches ${mb(reachableFrom(t).bytes)} MB, retains ${mb(retainedOf(t))} MB`);
  }
  fields.sort((a, b) => b[1] - a[1]);
  console.log(
    `${nameOf(n)} @${nodes[n * NF + meta.node_fields.indexOf('id')]}: ${mb(retainedOf(n))} MB; ${fields
      .slice(0, 8)
      .filter(([, size]) => size >= 64 * 1024)
      .map(([label, size]) => `${label} ${mb(size)}`)
      .join(', ')}`,
  );
}

// Largest retainers by constructor, counting an object only when no object of its constructor dominates it.
const byConstructor = new Map<string, { retained: number; count: number }>();
for (let o = 0; o < visited; o++) {
  const n = byOrder[o] as number;
  if (nodes[n * NF + nodeType] !== OBJECT) continue;
  const name = nameOf(n);
  let up = idom[o] as number;
  let nested = false;
  while (up !== root) {
    const u = byOrder[up] as number;
    if (nodes[u * NF + nodeType] === OBJECT && nameOf(u) === name) {
      nested = true;
      break;
    }
    up = idom[up] as number;
  }
  if (nested) continue;
  const entry = byConstructor.get(name) ?? { retained: 0, count: 0 };
  entry.retained += retained[o] as number;
  entry.count++;
  byConstructor.set(name, entry);
}
console.log('\nconstructor: retained MB (outermost instances)');
for (const [name, { retained: size, count: instances }] of [...byConstructor].sort((a, b) => b[1].retained - a[1].retained).slice(0, TOP))
  console.log(`  ${name}: ${mb(size)} MB (${instances})`);

// The largest dominator subtrees, with the edge their dominator holds them by.
console.log('\nlargest retained objects (name, retained MB, held by)');
const ranked = Array.from({ length: visited }, (_, o) => o)
  .filter((o) => o !== root && (retained[o] as number) >= 1024 * 1024)
  .sort((a, b) => (retained[b] as number) - (retained[a] as number))
  .slice(0, TOP);
for (const o of ranked) {
  const n = byOrder[o] as number;
  const holder = byOrder[idom[o] as number] as number;
  let via = '?';
  for (let e = firstEdge[holder] as number; e < (firstEdge[holder + 1] as number); e += EF) if (target(e) === n) via = edgeLabel(e);
  // The dominator chain up to a named holder.
  const chain: string[] = [];
  for (let up = idom[o] as number, steps = 0; up !== root && steps < 6; up = idom[up] as number, steps++) {
    const u = byOrder[up] as number;
    chain.push(`${nodeTypes[nodes[u * NF + nodeType] as number]}:${nameOf(u).slice(0, 30).replace(/\s+/g, ' ')}`);
  }
  // Held by several (the root dominates it): name its holders instead.
  if (chain.length === 0) {
    for (let p = predCount[n] as number; p < (predCount[n + 1] as number) && chain.length < 4; p++) {
      const from = preds[p] as number;
      for (let e = firstEdge[from] as number; e < (firstEdge[from + 1] as number); e += EF)
        if (target(e) === n) chain.push(`${nameOf(from).slice(0, 30).replace(/\s+/g, ' ')}.${edgeLabel(e)}`);
    }
  }
  console.log(
    `  ${nameOf(n).slice(0, 60)}: ${mb(retained[o] as number)} MB, held by ${nameOf(holder).slice(0, 40)}.${via} [${chain.join(' < ')}]`,
  );
}
