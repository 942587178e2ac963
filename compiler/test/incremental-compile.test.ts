// Incremental compilation (CompileInput.previous) against cold compiles: random sequences of
// changes to a small cluster (keys added, relabelled, deleted; Secrets rotated and removed; routes
// with conflicting names, fallbacks and MCP servers; Budgets and GuardrailPolicies selecting by
// label; ServiceAccounts appearing), each applied the way an informer cache does it (a changed
// object is a new object, every other keeps its identity). After every step the incremental
// table must be byte-identical to a cold compile of the same input (hash, published JSON,
// diagnostics), the hash must still be the canonical JSON hash the gateways know, unchanged
// entries must be the previous table's objects, and the table-stream index reusing the previous
// index must equal a fresh one.
import { describe, expect, it } from '@jest/globals';
import {
  canonicalJson,
  compileRoutingTable,
  hashTableContent,
  indexTable,
  routingTableJson,
  type CompileResult,
  type CompileState,
  type KindObject,
  type RoutingTable,
  type SecretManifest,
  type TableIndex,
} from '../src/index.js';
import { budget, mcpServer, openaiBackend, route, secret, virtualKey } from './support/manifests.js';

/** Deterministic pseudo-random numbers (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMESPACES = ['team-a', 'team-b', 'shared'];
const TEAMS = ['pay', 'web', 'ops'];
const TIERS = ['gold', 'free'];

class Cluster {
  /** By kind/namespace/name; Map.set on an existing id keeps its place, as an informer's store does. */
  readonly objects = new Map<string, KindObject>();
  readonly secrets = new Map<string, SecretManifest>();
  serviceAccounts = new Map<string, string>();
  private clock = 0;

  constructor(private readonly next: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  private created(): string {
    // Some objects share a creation time, so namespace/name breaks ties.
    this.clock += this.next() < 0.3 ? 0 : 1;
    return new Date(Date.UTC(2026, 0, 1, 0, 0, this.clock)).toISOString().replace('.000Z', 'Z');
  }

  private put(object: KindObject): void {
    this.objects.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object);
  }

  private ofKind(kind: string): KindObject[] {
    return [...this.objects.values()].filter((object) => object.kind === kind);
  }

  private replace(object: KindObject, change: (copy: KindObject) => void): void {
    const copy = structuredClone(object);
    copy.metadata.generation = (copy.metadata.generation ?? 1) + 1;
    change(copy);
    this.put(copy);
  }

  private remove(object: KindObject): void {
    this.objects.delete(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`);
  }

  private putSecret(value: SecretManifest): void {
    this.secrets.set(`${value.metadata.namespace}/${value.metadata.name}`, value);
  }

  private labels(): Record<string, string> {
    const labels: Record<string, string> = { team: this.pick(TEAMS) };
    if (this.next() < 0.7) labels.tier = this.pick(TIERS);
    return labels;
  }

  addKey(): void {
    const namespace = this.pick(NAMESPACES);
    const name = `key-${Math.floor(this.next() * 40)}`;
    const spec: Record<string, unknown> = {};
    if (this.next() < 0.2) {
      spec.subjects = [{ kind: 'ServiceAccount', namespace, name: `sa-${Math.floor(this.next() * 3)}` }];
      if (this.next() < 0.5) spec.secretName = undefined;
    }
    if (this.next() < 0.3) spec.allowedModels = ['m-*'];
    const key = virtualKey({ name, namespace, labels: this.labels(), creationTimestamp: this.created() }, spec);
    if (key.spec.secretName === undefined) delete key.spec.secretName;
    this.put(key);
    // Some keys share a value with another key (DuplicateKey), some have no Secret at all.
    if (this.next() < 0.85) this.rotateSecret(namespace, `${name}-key`, this.next() < 0.1 ? 'sk-sy-shared-value-0000000000' : undefined);
  }

  rotateSecret(namespace: string, name: string, value = `sk-sy-${namespace}-${name}-${Math.floor(this.next() * 1e9)}`): void {
    this.putSecret(secret({ name, namespace }, { key: value }));
  }

  changeKey(): void {
    const keys = this.ofKind('VirtualKey');
    if (keys.length === 0) return this.addKey();
    const key = this.pick(keys);
    const what = this.next();
    if (what < 0.4) this.replace(key, (copy) => void (copy.metadata.labels = this.labels()));
    else if (what < 0.6) this.replace(key, (copy) => void ((copy.spec as { disabled?: boolean }).disabled = this.next() < 0.5));
    else if (what < 0.8) this.remove(key);
    else this.rotateSecret(key.metadata.namespace as string, `${key.metadata.name}-key`);
  }

  addRoute(): void {
    const namespace = this.pick(NAMESPACES);
    const name = `route-${Math.floor(this.next() * 12)}`;
    // Few model names, so routes conflict; some fall back to another model, some use MCP servers.
    const spec: Record<string, unknown> = { model: `m-${Math.floor(this.next() * 5)}`, backends: [openaiBackend()] };
    if (this.next() < 0.3) spec.aliases = [`alias-${Math.floor(this.next() * 4)}`];
    if (this.next() < 0.3) spec.fallbackModels = [`m-${Math.floor(this.next() * 5)}`];
    if (this.next() < 0.2) spec.mcp = { servers: [`tools-${Math.floor(this.next() * 2)}`] };
    this.put(route({ name, namespace, labels: this.labels(), creationTimestamp: this.created() }, spec));
  }

  changeRoute(): void {
    const routes = this.ofKind('ModelRoute');
    if (routes.length === 0) return this.addRoute();
    const target = this.pick(routes);
    const what = this.next();
    if (what < 0.4) this.replace(target, (copy) => void ((copy.spec as { model: string }).model = `m-${Math.floor(this.next() * 5)}`));
    else if (what < 0.6) this.replace(target, (copy) => void (copy.metadata.labels = this.labels()));
    else this.remove(target);
  }

  putSecretForAll(): void {
    for (const namespace of NAMESPACES) this.putSecret(secret({ name: 'openai', namespace }, { apiKey: `sk-openai-${namespace}` }));
  }

  changeProviderSecret(): void {
    const namespace = this.pick(NAMESPACES);
    if (this.next() < 0.3) this.secrets.delete(`${namespace}/openai`);
    else this.putSecret(secret({ name: 'openai', namespace }, { apiKey: `sk-openai-${Math.floor(this.next() * 1e6)}` }));
  }

  private selector(): Record<string, unknown> {
    const what = this.next();
    if (what < 0.3) return { matchLabels: { team: this.pick(TEAMS) } };
    if (what < 0.5) return { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['free'] }] };
    if (what < 0.7) return { matchLabels: { team: this.pick(TEAMS) }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    return {};
  }

  changeBudget(): void {
    const budgets = this.ofKind('Budget');
    if (budgets.length > 0 && this.next() < 0.3) return this.remove(this.pick(budgets));
    if (budgets.length > 0 && this.next() < 0.5) {
      return this.replace(this.pick(budgets), (copy) => void ((copy.spec as { selector: unknown }).selector = this.selector()));
    }
    const namespace = this.pick(NAMESPACES);
    this.put(
      budget(
        { name: `budget-${Math.floor(this.next() * 8)}`, namespace, creationTimestamp: this.created() },
        { selector: this.selector(), limit: `${1 + Math.floor(this.next() * 99)}` },
      ),
    );
  }

  changePolicy(): void {
    const policies = this.ofKind('GuardrailPolicy');
    if (policies.length > 0 && this.next() < 0.4) return this.remove(this.pick(policies));
    const namespace = this.pick(NAMESPACES);
    const spec: Record<string, unknown> = { selector: this.selector(), checks: [{ name: 'no-secrets', type: 'secrets', on: 'input' }] };
    if (this.next() < 0.5) spec.routeSelector = { matchLabels: { team: this.pick(TEAMS) } };
    this.put({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'GuardrailPolicy',
      metadata: { name: `policy-${Math.floor(this.next() * 3)}`, namespace, creationTimestamp: this.created() },
      spec,
    });
  }

  changeMCPServer(): void {
    const servers = this.ofKind('MCPServer');
    if (servers.length > 0 && this.next() < 0.4) return this.remove(this.pick(servers));
    const namespace = this.pick(NAMESPACES);
    const name = `tools-${Math.floor(this.next() * 2)}`;
    this.put(mcpServer({ name, namespace, creationTimestamp: this.created() }, { prefix: this.pick(['fs', 'web']) }));
  }

  changeServiceAccounts(): void {
    const accounts = new Map(this.serviceAccounts);
    const id = `${this.pick(NAMESPACES)}/sa-${Math.floor(this.next() * 3)}`;
    if (accounts.has(id) && this.next() < 0.5) accounts.delete(id);
    else accounts.set(id, `uid-${Math.floor(this.next() * 1e6)}`);
    this.serviceAccounts = accounts;
  }

  step(): string {
    const changes = [
      () => this.addKey(),
      () => this.changeKey(),
      () => this.changeKey(),
      () => this.addRoute(),
      () => this.changeRoute(),
      () => this.changeProviderSecret(),
      () => this.changeBudget(),
      () => this.changePolicy(),
      () => this.changeMCPServer(),
      () => this.changeServiceAccounts(),
    ];
    const index = Math.floor(this.next() * changes.length);
    (changes[index] as () => void)();
    return ['addKey', 'changeKey', 'changeKey', 'addRoute', 'changeRoute', 'providerSecret', 'budget', 'policy', 'mcp', 'serviceAccounts'][
      index
    ] as string;
  }

  compile(version: number, previous?: CompileState): CompileResult {
    return compileRoutingTable({
      objects: [...this.objects.values()],
      secrets: [...this.secrets.values()],
      sharedNamespaces: ['shared'],
      serviceAccounts: this.serviceAccounts,
      version,
      clock: () => new Date('2026-02-01T00:00:00Z'),
      ...(previous ? { previous } : {}),
    });
  }
}

/** Every entry of a table, as `collection/id` -> entry. */
function entriesOf(table: RoutingTable): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  for (const key of table.keys) entries.set(`keys/${key.id}`, key);
  for (const item of table.budgets) entries.set(`budgets/${item.id}`, item);
  for (const collection of ['routes', 'modelsByNamespace', 'mcpServers', 'mcpServersByNamespace', 'guardrailPolicies'] as const) {
    for (const [id, entry] of Object.entries(table[collection] ?? {})) entries.set(`${collection}/${id}`, entry);
  }
  return entries;
}

function contentOf(table: RoutingTable): Omit<RoutingTable, 'version' | 'hash' | 'compiledAt'> {
  const { version: _version, hash: _hash, compiledAt: _compiledAt, ...content } = table;
  return content;
}

describe('incremental compilation', () => {
  it.each([1, 2, 3, 4, 5, 6])('gives what a cold compile gives after every change (seed %i)', (seed) => {
    const cluster = new Cluster(random(seed));
    for (let i = 0; i < 12; i++) cluster.addKey();
    for (let i = 0; i < 6; i++) cluster.addRoute();
    cluster.putSecretForAll();
    let incremental = cluster.compile(1);
    let index: TableIndex = indexTable(incremental.table);
    let sharedEntries = 0;
    for (let step = 0; step < 60; step++) {
      const change = cluster.step();
      const previous = incremental;
      incremental = cluster.compile(step + 2, previous.state);
      const cold = cluster.compile(step + 2);
      const where = `seed ${seed}, step ${step} (${change})`;
      expect({ where, hash: incremental.table.hash }).toEqual({ where, hash: cold.table.hash });
      expect({ where, json: routingTableJson(incremental.table) }).toEqual({ where, json: routingTableJson(cold.table) });
      expect({ where, diagnostics: incremental.diagnostics }).toEqual({ where, diagnostics: cold.diagnostics });
      // The hash is the one hashTableContent gives a table built by hand, and the compiler's index
      // (made from the previous compile's) equals a fresh index of the table.
      expect(hashTableContent(incremental.table)).toBe(incremental.table.hash);
      const freshIndex = indexTable(incremental.table);
      expect({ where, digest: incremental.index.digest, entries: incremental.index.entries, sum: incremental.index.entrySum }).toEqual({
        where,
        digest: freshIndex.digest,
        entries: freshIndex.entries,
        sum: freshIndex.entrySum,
      });

      // Structural sharing: an entry equal to the previous table's entry of its id is that entry.
      const before = entriesOf(previous.table);
      for (const [id, entry] of entriesOf(incremental.table)) {
        const old = before.get(id);
        if (old === undefined || canonicalJson(old) !== canonicalJson(entry)) continue;
        expect({ where, id, same: old === entry }).toEqual({ where, id, same: true });
        sharedEntries += 1;
      }

      // The table-stream index that reuses the previous one equals a fresh index.
      const reused = indexTable(incremental.table, { table: previous.table, index });
      const fresh = indexTable(incremental.table);
      expect({ where, digest: reused.digest, entries: reused.entries }).toEqual({ where, digest: fresh.digest, entries: fresh.entries });
      expect(reused).toEqual(incremental.index);
      index = reused;
    }
    expect(sharedEntries).toBeGreaterThan(0);
    // The content the incremental tables ended with is the content the last cold compile gave.
    expect(contentOf(incremental.table)).toEqual(contentOf(cluster.compile(999).table));
  });

  it('compiles an unchanged object once: a second compile of the same input reuses every entry', () => {
    const cluster = new Cluster(random(42));
    for (let i = 0; i < 20; i++) cluster.addKey();
    for (let i = 0; i < 6; i++) cluster.addRoute();
    cluster.putSecretForAll();
    const first = cluster.compile(1);
    const second = cluster.compile(2, first.state);
    const before = entriesOf(first.table);
    for (const [id, entry] of entriesOf(second.table)) expect({ id, same: before.get(id) === entry }).toEqual({ id, same: true });
    expect(second.table.hash).toBe(first.table.hash);
  });
});
