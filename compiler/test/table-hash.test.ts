import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, hashTableContent, type CompileInput, type MCPServerManifest } from '../src/index.js';
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

  it('is the SHA-256 of the canonical JSON of routes, modelsByNamespace, keys, budgets and the MCP servers', () => {
    const { table } = compile(input());
    const content = {
      routes: table.routes,
      modelsByNamespace: table.modelsByNamespace,
      keys: table.keys,
      budgets: table.budgets,
      mcpServers: table.mcpServers,
      mcpServersByNamespace: table.mcpServersByNamespace,
    };
    const expected = createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
    expect(table.hash).toBe(expected);
    expect(hashTableContent(table)).toBe(expected);
  });

  it('comes with the table as JSON, equal in value to JSON.stringify(table)', () => {
    const { table, tableJson } = compile({ ...input(), version: 42 });
    expect(JSON.parse(tableJson)).toEqual(JSON.parse(JSON.stringify(table)));
    expect(tableJson.startsWith(`{"version":42,"hash":"${table.hash}","compiledAt":"2026-01-01T00:00:00.000Z",`)).toBe(true);
    expect(tableJson.length).toBe(JSON.stringify(table).length);
  });

  it('comes with valid table JSON for an empty table too', () => {
    const { table, tableJson } = compile({});
    expect(JSON.parse(tableJson)).toEqual(JSON.parse(JSON.stringify(table)));
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
