// A table applied as deltas is materialized incrementally (only the entries a delta changed get
// new runtime objects); it must answer exactly like the same table materialized from scratch.
// Random change sequences over a small cluster (routes in several namespaces and a shared one,
// keys with allow-lists, residency selectors, subjects, guardrail policies, Budgets, MCP servers)
// go through the real delta path (diffTables on the producer's tables, applyTableChanges on the
// gateway's), and after every step the incremental holder and a fresh one are compared lookup by
// lookup. The old table must not change under a request that holds it.
import { hash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  applyTableChanges,
  canonicalJson,
  diffTables,
  indexTable,
  type CompiledBudget,
  type CompiledGuardrailPolicy,
  type CompiledMCPServer,
  type CompiledRoute,
  type CompiledVirtualKey,
  type RoutingTable,
} from '@switchyard/compiler';
import { BudgetDirectory, GovernedTableHolder } from '../../src/governance/budget/budget-directory.js';
import { guardrailsFor } from '../../src/pipeline/guardrails/guardrail-set.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../../src/table/runtime-table.js';
import { compiledBackend, compiledRoute } from './table-fixtures.js';

const NAMESPACES = ['a', 'b', 'c'];
const SHARED = 'shared';
const PATTERNS = [undefined, ['m-*'], ['m-1*', 'alias-*'], ['m-2']];

/** Deterministic randomness: a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The cluster as the producer sees it; every step compiles a fresh table from it (new objects, as a compile gives). */
interface Cluster {
  routes: Array<{ namespace: string; name: string; weights: number[]; labels: string[]; aliases: number; timeoutMs: number }>;
  keys: Array<{
    namespace: string;
    name: string;
    secret: number;
    pattern: number;
    selector?: string;
    subjects: boolean;
    policies: string[];
    budgets: string[];
    disabled: boolean;
  }>;
  policies: Array<{ name: string; phrase: string; routes?: string[] }>;
  budgets: Array<{ name: string; limit: number }>;
  mcp: Array<{ namespace: string; name: string; url: string }>;
}

function compile(cluster: Cluster, version: number): RoutingTable {
  const routes: Record<string, CompiledRoute> = {};
  for (const r of [...cluster.routes].sort((x, y) => routeId(x).localeCompare(routeId(y)))) {
    const backends = r.weights.map((weight, i) =>
      compiledBackend(`b${i}`, { priority: i % 2, weight, labels: { region: r.labels[i] ?? 'eu' } }),
    );
    routes[routeId(r)] = compiledRoute(r.name, backends, {
      id: routeId(r),
      namespace: r.namespace,
      model: `m-${r.name}`,
      aliases: r.aliases > 0 ? [`alias-${r.name}`] : [],
      timeouts: { connectMs: 1000, firstByteMs: 1000, totalMs: r.timeoutMs, streamIdleMs: 1000 },
    });
  }
  const modelsByNamespace: Record<string, Record<string, string>> = {};
  for (const namespace of NAMESPACES) {
    const names: Record<string, string> = {};
    for (const route of Object.values(routes)) {
      if (route.namespace !== namespace && route.namespace !== SHARED) continue;
      for (const name of [route.model, ...route.aliases]) names[name] ??= route.id;
    }
    if (Object.keys(names).length > 0) modelsByNamespace[namespace] = names;
  }
  const keys: CompiledVirtualKey[] = cluster.keys
    .map((k): CompiledVirtualKey => {
      const pattern = PATTERNS[k.pattern];
      return {
        id: `${k.namespace}/${k.name}`,
        namespace: k.namespace,
        name: k.name,
        generation: 1,
        ...(k.subjects && k.secret % 2 === 0 ? {} : { digest: hash('sha256', `secret-${k.secret}`, 'hex'), keyHint: 'sk-sy-...' }),
        ...(k.subjects ? { subjects: [{ kind: 'ServiceAccount' as const, namespace: k.namespace, name: `sa-${k.name}` }] } : {}),
        ...(pattern ? { allowedModels: [...pattern] } : {}),
        ...(k.selector ? { backendSelector: { matchLabels: { region: k.selector } } } : {}),
        ...(k.policies.length > 0 ? { guardrailPolicyIds: [...k.policies].sort() } : {}),
        disabled: k.disabled,
        labels: { team: k.name },
        budgetIds: [...k.budgets].sort(),
      };
    })
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const budgets: CompiledBudget[] = cluster.budgets
    .map((b) => ({
      id: `a/${b.name}`,
      namespace: 'a',
      name: b.name,
      generation: 1,
      limitNanos: String(b.limit),
      period: 'Daily' as const,
      enforcement: 'Block' as const,
    }))
    .sort((x, y) => (x.id < y.id ? -1 : 1));
  const guardrailPolicies: Record<string, CompiledGuardrailPolicy> = {};
  for (const p of [...cluster.policies].sort((x, y) => x.name.localeCompare(y.name))) {
    guardrailPolicies[`a/${p.name}`] = {
      id: `a/${p.name}`,
      namespace: 'a',
      name: p.name,
      generation: 1,
      checks: [{ name: 'deny', on: 'input', type: 'denylist', action: 'block', phrases: [p.phrase] }],
      ...(p.routes ? { routeIds: [...p.routes] } : {}),
      streamHoldback: 0,
    };
  }
  const mcpServers: Record<string, CompiledMCPServer> = {};
  const mcpServersByNamespace: Record<string, string[]> = {};
  for (const m of cluster.mcp) {
    const id = `${m.namespace}/${m.name}`;
    mcpServers[id] = { id, namespace: m.namespace, name: m.name, url: m.url } as unknown as CompiledMCPServer;
    (mcpServersByNamespace[m.namespace] ??= []).push(id);
  }
  return {
    version,
    hash: `hash-${version}`,
    compiledAt: '2026-12-07T00:00:00Z',
    routes,
    modelsByNamespace,
    keys,
    budgets,
    ...(Object.keys(guardrailPolicies).length > 0 ? { guardrailPolicies } : {}),
    ...(cluster.mcp.length > 0 ? { mcpServers, mcpServersByNamespace } : {}),
  };
}

function header(table: RoutingTable): Pick<RoutingTable, 'version' | 'hash' | 'compiledAt'> {
  return { version: table.version, hash: table.hash, compiledAt: table.compiledAt };
}

function routeId(r: { namespace: string; name: string }): string {
  return `${r.namespace}/${r.name}`;
}

function initialCluster(random: () => number): Cluster {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const cluster: Cluster = { routes: [], keys: [], policies: [], budgets: [], mcp: [] };
  for (let i = 0; i < 8; i++) cluster.routes.push(newRoute(random, i));
  for (let i = 0; i < 3; i++) cluster.policies.push({ name: `p${i}`, phrase: `bad-${i}`, ...(i === 2 ? { routes: ['a/r1'] } : {}) });
  for (let i = 0; i < 3; i++) cluster.budgets.push({ name: `budget-${i}`, limit: 1000 * (i + 1) });
  for (let i = 0; i < 24; i++) cluster.keys.push(newKey(random, i, pick));
  cluster.mcp.push({ namespace: 'a', name: 'tools', url: 'http://tools.a' });
  return cluster;
}

function newRoute(random: () => number, i: number): Cluster['routes'][number] {
  const namespace = i % 5 === 0 ? SHARED : (NAMESPACES[i % NAMESPACES.length] as string);
  const backends = 1 + Math.floor(random() * 3);
  return {
    namespace,
    name: `r${i}`,
    weights: Array.from({ length: backends }, () => Math.floor(random() * 3)),
    labels: Array.from({ length: backends }, () => (random() < 0.5 ? 'eu' : 'us')),
    aliases: Math.floor(random() * 2),
    timeoutMs: 5000,
  };
}

function newKey(random: () => number, i: number, pick: <T>(xs: readonly T[]) => T): Cluster['keys'][number] {
  return {
    namespace: pick(NAMESPACES),
    name: `k${i}`,
    // Now and then two keys share a secret (the same digest): the later one in the table wins.
    secret: random() < 0.05 ? 0 : i,
    pattern: Math.floor(random() * PATTERNS.length),
    ...(random() < 0.25 ? { selector: pick(['eu', 'us', 'mars']) } : {}),
    subjects: random() < 0.15,
    policies: random() < 0.3 ? [pick(['p0', 'p1', 'p2'])] : [],
    budgets: random() < 0.5 ? [pick(['budget-0', 'budget-1', 'budget-2'])] : [],
    disabled: false,
  };
}

/** One random change to the cluster, of the kinds a user makes to one object. */
function mutate(cluster: Cluster, random: () => number, step: number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const key = pick(cluster.keys);
  const route = pick(cluster.routes);
  const kinds: Array<() => void> = [
    () => (key.disabled = !key.disabled),
    () => (key.pattern = Math.floor(random() * PATTERNS.length)),
    () => (key.namespace = pick(NAMESPACES)),
    () => (key.selector = key.selector ? undefined : pick(['eu', 'us'])),
    () => (key.subjects = !key.subjects),
    () => (key.policies = key.policies.length > 0 ? [] : [pick(['p0', 'p1', 'p2'])]),
    () => (key.budgets = [pick(['budget-0', 'budget-1', 'budget-2'])]),
    () => (key.secret = random() < 0.3 ? 0 : 1000 + step),
    () => cluster.keys.push(newKey(random, 100 + step, pick)),
    () => cluster.keys.splice(cluster.keys.indexOf(key), 1),
    () => (route.timeoutMs += 1000),
    () => (route.weights = route.weights.map(() => Math.floor(random() * 3))),
    () => (route.labels = route.labels.map((l) => (l === 'eu' ? 'us' : 'eu'))),
    () => (route.aliases = 1 - route.aliases),
    () => cluster.routes.push(newRoute(random, 100 + step)),
    () => cluster.routes.length > 2 && cluster.routes.splice(cluster.routes.indexOf(route), 1),
    () => (pick(cluster.policies).phrase = `bad-${step}`),
    () => (pick(cluster.budgets).limit += 1),
    () => (cluster.mcp[0] ? (cluster.mcp[0].url = `http://tools-${step}`) : undefined),
    () => (cluster.mcp.length > 1 ? cluster.mcp.pop() : cluster.mcp.push({ namespace: 'b', name: 'more', url: 'http://more' })),
  ];
  pick(kinds)();
}

function describeRoute(route: RuntimeRoute): unknown {
  return {
    id: route.id,
    model: route.model,
    names: route.names,
    compiled: canonicalJson(route.compiled),
    strategy: route.strategy,
    tiers: route.tiers.map((tier) => ({ priority: tier.priority, backends: tier.backends.items.map((b) => b.name) })),
    rules: route.rules.map((rule) => ({ name: rule.name, route: rule.route, tiers: rule.tiers.length })),
    backendsByName: [...route.backendsByName.keys()],
    handsOver: route.handsOver,
    backendSelectorUnmatched: route.backendSelectorUnmatched,
  };
}

function describeKey(table: RuntimeTable, key: RuntimeKey, budgets: BudgetDirectory): unknown {
  return {
    id: key.id,
    compiled: canonicalJson(key.compiled),
    models: [...key.models].map(([name, route]) => ({
      name,
      // A key's view of a route (residency) differs from the route itself in its backends only.
      route: [route.id, route.backendSelectorUnmatched, route.tiers.map((tier) => tier.backends.items.map((b) => b.name))],
      mayUse: key.mayUse(route),
      guardrails: guardrailsFor(table, key, route)?.input.map((check) => canonicalJson(check.compiled)),
    })),
    budgets: budgets.resolve(key.compiled.budgetIds).map((budget) => canonicalJson(budget)),
  };
}

/** Everything a request can ask a runtime table, as plain data. */
function describeTable(table: RuntimeTable, budgets: BudgetDirectory): unknown {
  return {
    version: table.version,
    hash: table.hash,
    keysByDigest: [...table.keysByDigest]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([digest, key]) => [digest, describeKey(table, key, budgets)]),
    keysWithSubjects: table.keysWithSubjects.map((key) => describeKey(table, key, budgets)),
    routes: [...table.routes].map(([id, route]) => [id, describeRoute(route)]),
    mcp: [...table.mcpServersByNamespace].map(([ns, servers]) => [ns, servers.map((server) => canonicalJson(server))]),
    policies: [...table.guardrailPolicies].map(([id, policy]) => [id, canonicalJson(policy)]),
  };
}

function holder(): { tables: GovernedTableHolder; budgets: BudgetDirectory } {
  const budgets = new BudgetDirectory();
  return { tables: new GovernedTableHolder(createProviderRegistry(), budgets), budgets };
}

describe('incremental materialization', () => {
  it('answers like a table materialized from scratch after every step of random change sequences', () => {
    // Counts runtime keys carried over from the previous table: the sequences exercise reuse, not only rebuilds.
    let carried = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const random = prng(seed);
      const cluster = initialCluster(random);
      let produced = compile(cluster, 1);
      let index = indexTable(produced);
      // The gateway's copy: decoded from the first table, then only ever changed by deltas.
      let applied = JSON.parse(JSON.stringify(produced)) as RoutingTable;
      let digest = index.digest;
      const incremental = holder();
      incremental.tables.load(applied);
      for (let step = 1; step <= 12; step++) {
        const mutations = random() < 0.2 ? 3 : 1;
        for (let m = 0; m < mutations; m++) mutate(cluster, random, step * 10 + m);
        const next = compile(cluster, step + 1);
        const nextIndex = indexTable(next);
        const result = applyTableChanges(applied, digest, diffTables(index, nextIndex, next), header(next));
        expect(result.digest).toBe(nextIndex.digest);

        const before = incremental.tables.current as RuntimeTable;
        const beforeView = describeTable(before, incremental.budgets);
        const loaded = incremental.tables.load(result.table);
        const scratch = holder();
        const reference = scratch.tables.load(next);
        const context = `seed ${seed} step ${step}`;
        expect({ context, table: describeTable(loaded, incremental.budgets) }).toEqual({
          context,
          table: describeTable(reference, scratch.budgets),
        });
        // Every key's runtime object is built from the applied table's own entry (no stale key).
        const previousKeys = new Set(before.keysByDigest.values());
        for (const key of loaded.keysByDigest.values()) if (previousKeys.has(key)) carried += 1;
        const entries = new Set(result.table.keys);
        for (const key of loaded.keysByDigest.values()) expect(entries.has(key.compiled)).toBe(true);
        // A request holding the previous table still sees it as it was (budgets aside: the directory is the latest's).
        const budgetsNow = holder();
        budgetsNow.budgets.update(applied.budgets);
        expect({ context, table: describeTable(before, budgetsNow.budgets) }).toEqual({ context, table: beforeView });

        produced = next;
        index = nextIndex;
        applied = result.table;
        digest = result.digest;
      }
      expect(produced.version).toBe(13);
    }
    expect(carried).toBeGreaterThan(500);
  });

  it('a one-key delta rebuilds that key only: the other keys, the routes and their health are the same objects', () => {
    const random = prng(99);
    const cluster = initialCluster(random);
    cluster.keys.forEach((key, i) => {
      key.secret = i;
      key.subjects = false;
    });
    const first = compile(cluster, 1);
    const firstIndex = indexTable(first);
    const { tables } = holder();
    const old = tables.load(first);
    const changed = cluster.keys[5];
    if (!changed) throw new Error('no key 5');
    changed.disabled = true;
    const second = compile(cluster, 2);
    const secondIndex = indexTable(second);
    const next = tables.load(
      applyTableChanges(first, firstIndex.digest, diffTables(firstIndex, secondIndex, second), header(second)).table,
    );

    const changedDigest = hash('sha256', `secret-${changed.secret}`, 'hex');
    let reused = 0;
    for (const [digest, key] of next.keysByDigest) {
      if (digest === changedDigest) {
        expect(key).not.toBe(old.keysByDigest.get(digest));
        expect(key.compiled.disabled).toBe(true);
        expect(old.keysByDigest.get(digest)?.compiled.disabled).toBe(false);
      } else {
        expect(key).toBe(old.keysByDigest.get(digest));
        reused += 1;
      }
    }
    expect(reused).toBe(next.keysByDigest.size - 1);
    expect(next.routes).toBe(old.routes);
    expect(next.mcpServersByNamespace).toBe(old.mcpServersByNamespace);
  });

  it('a one-route delta keeps the health of the unchanged routes and of the route backends that stay', () => {
    const random = prng(7);
    const cluster = initialCluster(random);
    for (const route of cluster.routes) route.weights = route.weights.map(() => 1);
    const first = compile(cluster, 1);
    const firstIndex = indexTable(first);
    const { tables } = holder();
    const old = tables.load(first);
    const target = cluster.routes[1];
    if (!target) throw new Error('no route 1');
    target.timeoutMs = 9000;
    const second = compile(cluster, 2);
    const secondIndex = indexTable(second);
    const next = tables.load(
      applyTableChanges(first, firstIndex.digest, diffTables(firstIndex, secondIndex, second), header(second)).table,
    );
    for (const [id, route] of next.routes) {
      const before = old.routes.get(id) as RuntimeRoute;
      if (id === routeId(target)) {
        expect(route).not.toBe(before);
        expect(route.compiled.timeouts.totalMs).toBe(9000);
      } else {
        expect(route).toBe(before);
      }
      for (const [name, backend] of route.backendsByName) expect(backend.health).toBe(before.backendsByName.get(name)?.health);
    }
  });
});
