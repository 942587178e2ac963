import { describe, expect, it } from '@jest/globals';
import {
  routingTableJson,
  selectorMatches,
  type BudgetManifest,
  type CompileInput,
  type ModelRouteManifest,
  type SecretManifest,
  type VirtualKeyManifest,
} from '../src/index.js';
import { compile } from './support/compile.js';
import { budget, keySecret, route, secret, virtualKey } from './support/manifests.js';
import { seededRandom } from './support/seeded-random.js';

// A generated cluster big enough that the indexed paths (budget selection by label, route names,
// age order) do real work: every result is checked against the rules applied the slow, direct way.
function generatedCluster(seed: number): Partial<CompileInput> {
  const random = seededRandom(seed);
  const namespaces = ['ns-0', 'ns-1', 'ns-2', 'ns-3', 'shared'];
  const stamp = () => new Date(Date.UTC(2025, 0, 1) + random.int(86_400) * 60_000).toISOString();
  const secrets: SecretManifest[] = namespaces.map((namespace) => secret({ name: 'openai', namespace }, { apiKey: `sk-${namespace}` }));
  const routes: ModelRouteManifest[] = Array.from({ length: 300 }, (_, i) => {
    const namespace = random.pick(namespaces);
    return route(
      { name: `r${i}`, namespace, creationTimestamp: stamp() },
      {
        model: `m${random.int(200)}`,
        aliases: random.chance(0.3) ? [`a${random.int(100)}`] : [],
        ...(random.chance(0.2) ? { fallbackModels: [`m${random.int(200)}`] } : {}),
      },
    );
  });
  const virtualKeys: VirtualKeyManifest[] = [];
  for (let i = 0; i < 3000; i++) {
    const namespace = random.pick(namespaces.slice(0, 4));
    const labels: Record<string, string> = {};
    if (random.chance(0.8)) labels['team'] = `t${random.int(12)}`;
    if (random.chance(0.5)) labels['tier'] = random.pick(['gold', 'silver', 'free']);
    virtualKeys.push(virtualKey({ name: `k${i}`, namespace, labels, creationTimestamp: stamp() }));
    // One key in 100 reuses another key's value: the younger one is a DuplicateKey.
    secrets.push(keySecret(`k${i}`, namespace, `sk-sy-generated-${i % 100 === 99 ? i - 1 : i}-0123456789`));
  }
  const budgets: BudgetManifest[] = Array.from({ length: 150 }, (_, i) =>
    budget(
      { name: `b${i}`, namespace: random.pick(namespaces.slice(0, 4)), creationTimestamp: stamp() },
      {
        selector: random.pick([
          {},
          { matchLabels: { team: `t${random.int(12)}` } },
          {
            matchLabels: { team: `t${random.int(12)}` },
            matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['gold', 'silver'] }],
          },
          {
            matchExpressions: [
              { key: 'tier', operator: 'NotIn' as const, values: ['free'] },
              { key: 'team', operator: 'Exists' as const },
            ],
          },
          { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' as const }] },
        ]),
      },
    ),
  );
  return { routes, virtualKeys, budgets, secrets, sharedNamespaces: ['shared'] };
}

describe('compiling a generated cluster', () => {
  const input = generatedCluster(11);
  const { table, diagnostics } = compile(input);
  const tableJson = routingTableJson(table);

  it('charges each key to exactly the budgets of its namespace whose selector matches', () => {
    const budgetManifests = input.budgets ?? [];
    expect(table.keys.length).toBeGreaterThan(2900);
    for (const key of table.keys) {
      const expected = budgetManifests
        .filter((b) => (b.metadata.namespace ?? 'default') === key.namespace && selectorMatches(b.spec.selector, key.labels))
        .map((b) => `${b.metadata.namespace}/${b.metadata.name}`)
        .sort();
      expect(key.budgetIds).toEqual(expected);
    }
  });

  it('gives every object one diagnostic, ordered by kind then namespace/name', () => {
    const count = (input.routes?.length ?? 0) + (input.virtualKeys?.length ?? 0) + (input.budgets?.length ?? 0);
    expect(diagnostics).toHaveLength(count);
    const order = { ModelRoute: 0, VirtualKey: 1, Budget: 2 };
    const sortKey = (d: (typeof diagnostics)[number]) => [order[d.kind as keyof typeof order], `${d.namespace}/${d.name}`] as const;
    for (let i = 1; i < diagnostics.length; i++) {
      const [aKind, aId] = sortKey(diagnostics[i - 1]!);
      const [bKind, bId] = sortKey(diagnostics[i]!);
      expect(aKind < bKind || (aKind === bKind && aId < bId)).toBe(true);
    }
    expect(diagnostics.filter((d) => d.conditions.some((c) => c.reason === 'DuplicateKey'))).toHaveLength(30);
    expect(diagnostics.filter((d) => d.conditions.some((c) => c.reason === 'Conflict')).length).toBeGreaterThan(0);
  });

  it('compiles the same table, hash and JSON whatever order the objects come in', () => {
    const random = seededRandom(5);
    const shuffled = {
      ...input,
      routes: random.shuffle(input.routes ?? []),
      virtualKeys: random.shuffle(input.virtualKeys ?? []),
      budgets: random.shuffle(input.budgets ?? []),
      secrets: random.shuffle(input.secrets ?? []),
    };
    const again = compile(shuffled);
    expect(again.table.hash).toBe(table.hash);
    expect(routingTableJson(again.table)).toBe(tableJson);
    expect(again.diagnostics).toEqual(diagnostics);
    expect(JSON.parse(tableJson)).toEqual(JSON.parse(JSON.stringify(table)));
  });

  it('changes the hash when one label on one key of thousands changes', () => {
    const changed = { ...input, virtualKeys: [...(input.virtualKeys ?? [])] };
    const victim = changed.virtualKeys[1234] as VirtualKeyManifest;
    changed.virtualKeys[1234] = { ...victim, metadata: { ...victim.metadata, labels: { ...victim.metadata.labels, extra: 'x' } } };
    expect(compile(changed).table.hash).not.toBe(table.hash);
  });
});
