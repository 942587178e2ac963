import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, hashTableContent, indexTable, routingTableJson, type CompileInput, type MCPServerManifest } from '../src/index.js';
import { compile } from './support/compile.js';
import { budget, keySecret, mcpServer, openaiBackend, route, secret, virtualKey } from './support/manifests.js';

const input = (): Partial<CompileInput> => ({
  routes: [
    route({ name: 'gpt-4o' }, { backends: [openaiBackend(), openaiBackend({ name: 'b', priority: 1 })] }),
    route({ name: 'gpt-4o-mini' }),
  ],
  virtualKeys: [virtualKey({ name: 'a', labels: { team: 't' } }), virtualKey({ name: 'b' })],
  budgets: [budget({ name: 'team' }, { selector: { matchLabels: { team: 't' } } })],
  objects: [mcpServer({ name: 'github' }, { auth: { type: 'bearer', secretRef: { name: 'gh', key: 'token' } } })],
  secrets: [secret({ name: 'openai' }, { apiKey: 'sk-1' }), keySecret('a'), keySecret('b'), secret({ name: 'gh' }, { token: 'ghp-1' })],
});

describe('table hash', () => {
  it('is the same for the same content, whatever the version, clock or input order', () => {
    const first = compile({ ...input(), version: 1, clock: () => new Date(1) });
    const reordered = input();
    reordered.routes = [...(reordered.routes ?? [])].reverse();
    reordered.virtualKeys = [...(reordered.virtualKeys ?? [])].reverse();
    reordered.secrets = [...(reordered.secrets ?? [])].reverse();
    const second = compile({ ...reordered, version: 7, clock: () => new Date(2) });
    expect(second.table.hash).toBe(first.table.hash);
    expect(second.table.version).toBe(7);
    expect(second.table.compiledAt).toBe('1970-01-01T00:00:00.002Z');
    expect(JSON.stringify(second.table.routes)).toBe(JSON.stringify(first.table.routes));
    expect(first.table.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, (i: Partial<CompileInput>) => void]>([
    ['a credential changes', (i) => (i.secrets = [secret({ name: 'openai' }, { apiKey: 'sk-2' }), keySecret('a'), keySecret('b')])],
    ['a weight changes', (i) => ((i.routes?.[0]?.spec.backends[0] as { weight?: number }).weight = 5)],
    ['a label changes budget membership', (i) => (i.virtualKeys![1]!.metadata.labels = { team: 't' })],
    ['a label changes without changing membership', (i) => (i.virtualKeys![1]!.metadata.labels = { other: 'x' })],
    ['a budget limit changes', (i) => (i.budgets![0]!.spec.limit = '101')],
    ['an MCP server URL changes', (i) => ((i.objects![0] as MCPServerManifest).spec.url = 'https://other.example.com/mcp')],
    ['a key gains MCP tools', (i) => (i.virtualKeys![0]!.spec.mcp = { allowedTools: ['github__*'] })],
    [
      'a budget selects by expression instead',
      (i) => (i.budgets![0]!.spec.selector = { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }),
    ],
    [
      'a key value changes',
      (i) =>
        (i.secrets = [
          secret({ name: 'openai' }, { apiKey: 'sk-1' }),
          keySecret('a', 'default', 'sk-sy-another-key-0123456789abcdef'),
          keySecret('b'),
        ]),
    ],
    ['a key is disabled', (i) => (i.virtualKeys![0]!.spec.disabled = true)],
    ['a key is removed', (i) => (i.virtualKeys = i.virtualKeys!.slice(1))],
    ['an alias is added', (i) => (i.routes![1]!.spec.aliases = ['mini'])],
    ['a route moves to a namespace without keys', (i) => (i.routes![1]!.metadata.namespace = 'elsewhere')],
    ['a generation changes', (i) => (i.routes![0]!.metadata.generation = 2)],
    ['a header value changes', (i) => (i.routes![0]!.spec.backends[0]!.headers = { 'x-team': 'b' })],
  ])('changes when %s', (_name, change) => {
    const changed = input();
    change(changed);
    expect(compile(changed).table.hash).not.toBe(compile(input()).table.hash);
  });

  it("is the SHA-256 over a versioned preamble and each collection's entry ids and entry hashes, in table order", () => {
    const { table, index } = compile(input());
    // Written out from the definition (docs/configuration.md), independently of the compiler's code.
    const entryHash = (collection: string, id: string, entry: unknown) =>
      createHash('sha256')
        .update(`${collection}\n${id}\n${canonicalJson(entry)}`, 'utf8')
        .digest('hex');
    let text = 'switchyard routing table hash v2\n';
    const records = (collection: string, record: Record<string, unknown> | undefined) => {
      if (record === undefined) return;
      text += `"${collection}":\n`;
      for (const id of Object.keys(record).sort()) text += `${JSON.stringify(id)} ${entryHash(collection, id, record[id])}\n`;
    };
    const list = (collection: string, entries: ReadonlyArray<{ id: string }>) => {
      text += `"${collection}":\n`;
      for (const entry of entries) text += `${JSON.stringify(entry.id)} ${entryHash(collection, entry.id, entry)}\n`;
    };
    records('routes', table.routes);
    records('modelsByNamespace', table.modelsByNamespace);
    records('mcpServers', table.mcpServers);
    records('mcpServersByNamespace', table.mcpServersByNamespace);
    records('guardrailPolicies', table.guardrailPolicies);
    list('keys', table.keys);
    list('budgets', table.budgets);
    const expected = createHash('sha256').update(text, 'utf8').digest('hex');
    expect(table.hash).toBe(expected);
    expect(hashTableContent(table)).toBe(expected);
    // The compiler's index is the one the table stream would compute, and its entry hashes are the hash's.
    expect(index).toEqual(indexTable(table));
    expect(index.entries.get('keys')?.get(table.keys[0]?.id ?? '')).toBe(entryHash('keys', table.keys[0]?.id ?? '', table.keys[0]));
  });

  it('tells an absent optional collection from an empty one, and entries in another order from the same content', () => {
    const { table } = compile(input());
    const withoutPolicies = hashTableContent(table);
    expect(hashTableContent({ ...table, guardrailPolicies: {} })).not.toBe(withoutPolicies);
    // Records are hashed by id (a JSON object's members have no order); arrays in their order.
    const routes = Object.fromEntries(Object.entries(table.routes).reverse());
    expect(hashTableContent({ ...table, routes })).toBe(withoutPolicies);
    expect(hashTableContent({ ...table, keys: [...table.keys].reverse() })).not.toBe(withoutPolicies);
    // An entry moved to another collection under the same id is another table.
    const [first] = table.keys;
    if (!first) throw new Error('no key');
    expect(hashTableContent({ ...table, keys: table.keys.slice(1), budgets: [...table.budgets, first as never] })).not.toBe(
      withoutPolicies,
    );
  });

  it('has JSON on demand, equal in value to JSON.stringify(table), with version, hash and compiledAt first', () => {
    const { table } = compile({ ...input(), version: 42 });
    const tableJson = routingTableJson(table);
    expect(JSON.parse(tableJson)).toEqual(JSON.parse(JSON.stringify(table)));
    expect(tableJson.startsWith(`{"version":42,"hash":"${table.hash}","compiledAt":"2026-01-01T00:00:00.000Z",`)).toBe(true);
    expect(tableJson.length).toBe(JSON.stringify(table).length);
  });

  it('has valid table JSON for an empty table too', () => {
    const { table } = compile({});
    expect(JSON.parse(routingTableJson(table))).toEqual(JSON.parse(JSON.stringify(table)));
  });

  it('orders backends by priority, keeping spec order inside a tier', () => {
    const { table } = compile({
      routes: [
        route(
          { name: 'r' },
          {
            backends: [
              { name: 'p2', provider: 'mock', model: 'm', priority: 2 },
              { name: 'p0-a', provider: 'mock', model: 'm' },
              { name: 'p1', provider: 'mock', model: 'm', priority: 1 },
              { name: 'p0-b', provider: 'mock', model: 'm', priority: 0 },
            ],
          },
        ),
      ],
    });
    expect(table.routes['default/r']?.backends.map((b) => b.name)).toEqual(['p0-a', 'p0-b', 'p1', 'p2']);
  });
});
