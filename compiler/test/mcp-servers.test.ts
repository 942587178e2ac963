// MCPServers, VirtualKey.spec.mcp and ModelRoute.spec.mcp compiled into the routing table: Secrets
// resolved as for backends, prefixes unique among what a key can see, servers listed per key
// namespace, route server names resolved to ids, stdio servers only in standalone mode.

import { describe, expect, it } from '@jest/globals';
import { compileStandaloneFiles, ConfigError, type CompiledMCPServer, type CompileInput, type MCPServerSpec } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { keySecret, mcpServer, route, secret, virtualKey } from './support/manifests.js';

const ghSecret = secret({ name: 'gh' }, { token: 'ghp-token\n', org: 'acme', clientSecret: 'cs-1' });

/** Compiles one MCPServer named github in namespace default (shared) beside the gh Secret. */
function compileServer(spec: Partial<MCPServerSpec>, input: Partial<CompileInput> = {}) {
  const result = compile({ objects: [mcpServer({ name: 'github' }, spec)], secrets: [ghSecret], ...input });
  return {
    server: result.table.mcpServers?.['default/github'],
    accepted: conditionOf(result.diagnostics, 'MCPServer', 'default/github', 'Accepted'),
    refs: conditionOf(result.diagnostics, 'MCPServer', 'default/github', 'ResolvedRefs'),
  };
}

describe('MCPServer compilation', () => {
  it('applies the defaults: prefix from the name, streamable HTTP, every tool, no auth, 5 s / 60 s', () => {
    const { server, accepted, refs } = compileServer({});
    expect(server).toEqual({
      id: 'default/github',
      namespace: 'default',
      name: 'github',
      generation: 1,
      prefix: 'github',
      transport: 'streamable-http',
      url: 'https://mcp.example.com/mcp',
      headers: {},
      headerRefs: {},
      auth: { type: 'none' },
      toolFilter: { include: ['*'], exclude: [] },
      timeouts: { connectMs: 5000, callMs: 60000 },
    });
    expect(accepted).toMatchObject({
      status: 'True',
      reason: 'Accepted',
      message: 'offers its tools as github__<tool> over streamable-http',
    });
    expect(refs).toMatchObject({ status: 'True' });
  });

  it.each<[string, Partial<MCPServerSpec>, Partial<CompiledMCPServer>]>([
    [
      'bearer token from a Secret, trimmed',
      { auth: { type: 'bearer', secretRef: { name: 'gh', key: 'token' } } },
      { auth: { type: 'bearer', ref: 'default/gh/token', token: 'ghp-token' } },
    ],
    [
      'headers from literals and Secrets, with their sources',
      {
        headers: [
          { name: 'X-Team', value: 'core' },
          { name: 'X-Org', valueFrom: { secretKeyRef: { name: 'gh', key: 'org' } } },
        ],
      },
      { headers: { 'X-Team': 'core', 'X-Org': 'acme' }, headerRefs: { 'X-Org': 'default/gh/org' } },
    ],
    [
      'OAuth client credentials',
      {
        auth: {
          type: 'oauth2ClientCredentials',
          tokenURL: 'https://auth.example.com/token',
          clientId: 'switchyard',
          clientSecretRef: { name: 'gh', key: 'clientSecret' },
          scopes: ['repo'],
        },
      },
      {
        auth: {
          type: 'oauth2ClientCredentials',
          tokenURL: 'https://auth.example.com/token',
          clientId: 'switchyard',
          clientSecretRef: 'default/gh/clientSecret',
          clientSecret: 'cs-1',
          scopes: ['repo'],
        },
      },
    ],
    [
      'per-user OAuth',
      {
        auth: {
          type: 'oauth2PerUser',
          authorizationURL: 'https://auth.example.com/authorize',
          tokenURL: 'https://auth.example.com/token',
          clientId: 'switchyard',
          clientSecretRef: { name: 'gh', key: 'clientSecret' },
        },
      },
      {
        auth: {
          type: 'oauth2PerUser',
          authorizationURL: 'https://auth.example.com/authorize',
          tokenURL: 'https://auth.example.com/token',
          clientId: 'switchyard',
          clientSecretRef: 'default/gh/clientSecret',
          clientSecret: 'cs-1',
          scopes: [],
        },
      },
    ],
    [
      'the legacy SSE transport, a prefix, a filter and timeouts',
      {
        transport: 'sse',
        prefix: 'gh_v2',
        toolFilter: { include: ['get_*'], exclude: ['get_secret'] },
        timeouts: { connect: '1.5s', call: '2m' },
      },
      {
        transport: 'sse',
        prefix: 'gh_v2',
        toolFilter: { include: ['get_*'], exclude: ['get_secret'] },
        timeouts: { connectMs: 1500, callMs: 120000 },
      },
    ],
  ])('compiles %s', (_name, spec, expected) => {
    const { server, accepted } = compileServer(spec);
    expect(accepted?.status).toBe('True');
    expect(server).toMatchObject(expected);
  });

  it.each<[string, Partial<MCPServerSpec>, string, string, RegExp]>([
    [
      'a missing Secret for the bearer token',
      { auth: { type: 'bearer', secretRef: { name: 'nope', key: 'token' } } },
      'SecretNotFound',
      'UnresolvedRefs',
      /^auth\.secretRef: Secret default\/nope not found \(needed for key "token"\)$/,
    ],
    [
      'a missing entry for a header',
      { headers: [{ name: 'X-Org', valueFrom: { secretKeyRef: { name: 'gh', key: 'missing' } } }] },
      'SecretKeyNotFound',
      'UnresolvedRefs',
      /^header X-Org: Secret default\/gh has no entry "missing"$/,
    ],
    [
      'a missing OAuth client secret',
      {
        auth: {
          type: 'oauth2ClientCredentials',
          tokenURL: 'https://auth.example.com/token',
          clientId: 'c',
          clientSecretRef: { name: 'other', key: 'secret' },
        },
      },
      'SecretNotFound',
      'UnresolvedRefs',
      /^auth\.clientSecretRef: Secret default\/other not found/,
    ],
  ])('leaves out a server with %s, naming the Secret in both conditions', (_name, spec, refsReason, acceptedReason, message) => {
    const { server, accepted, refs } = compileServer(spec);
    expect(server).toBeUndefined();
    expect(refs).toMatchObject({ status: 'False', reason: refsReason });
    expect(refs?.message).toMatch(message);
    expect(accepted).toMatchObject({ status: 'False', reason: acceptedReason });
    expect(accepted?.message).toMatch(message);
  });

  it('never writes a Secret value into a condition', () => {
    const { refs, accepted } = compileServer({ headers: [{ name: 'X-Org', valueFrom: { secretKeyRef: { name: 'gh', key: 'nope' } } }] });
    expect(JSON.stringify([refs, accepted])).not.toMatch(/ghp-token|acme|cs-1/);
  });

  it('refuses a stdio server outside standalone mode and compiles it in standalone mode', () => {
    const spec = { url: undefined, command: ['node', 'server.mjs'] } as Partial<MCPServerSpec>;
    const cluster = compileServer(spec);
    expect(cluster.server).toBeUndefined();
    expect(cluster.accepted).toMatchObject({ status: 'False', reason: 'StandaloneOnly' });
    const standalone = compileServer(spec, { standalone: true });
    expect(standalone.server).toMatchObject({ transport: 'stdio', command: ['node', 'server.mjs'] });
    expect(standalone.server?.url).toBeUndefined();
  });

  it("resolves a stdio server's env from literals and Secrets; a missing Secret keeps it out and names the entry", () => {
    const env = [
      { name: 'GREETING', value: 'hello' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } },
    ];
    const { server } = compileServer({ url: undefined, command: ['node', 'server.mjs'], env } as Partial<MCPServerSpec>, {
      standalone: true,
    });
    expect(server?.env).toEqual({ GREETING: 'hello', TOKEN: 'ghp-token' });
    expect(server?.envRefs).toEqual({ TOKEN: 'default/gh/token' });

    const missing = compileServer(
      {
        url: undefined,
        command: ['node'],
        env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'nope', key: 'token' } } }],
      } as Partial<MCPServerSpec>,
      { standalone: true },
    );
    expect(missing.server).toBeUndefined();
    expect(missing.accepted?.message).toContain('env TOKEN: Secret default/nope not found');
  });

  it('refuses a name that is no tool prefix when spec.prefix is absent (objects the API server did not check)', () => {
    const result = compile({ objects: [mcpServer({ name: 'git.hub' })] });
    expect(result.table.mcpServers).toEqual({});
    expect(conditionOf(result.diagnostics, 'MCPServer', 'default/git.hub', 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'Invalid',
    });
  });
});

describe('MCP tenancy', () => {
  const at = (name: string, namespace: string, created: string, spec: Partial<MCPServerSpec> = {}) =>
    mcpServer({ name, namespace, creationTimestamp: created }, spec);
  const keys = { virtualKeys: [virtualKey({ name: 'a', namespace: 'team-a' }), virtualKey({ name: 'b', namespace: 'team-b' })] };
  const keySecrets = [keySecret('a', 'team-a'), keySecret('b', 'team-b')];

  it("shows each key namespace its own servers plus the shared namespaces', sorted by id", () => {
    const { table } = compile({
      ...keys,
      sharedNamespaces: ['platform'],
      objects: [
        at('search', 'platform', '2026-01-01T00:00:00Z'),
        at('github', 'team-a', '2026-01-01T00:00:00Z'),
        at('jira', 'team-b', '2026-01-01T00:00:00Z'),
        at('lonely', 'no-keys', '2026-01-01T00:00:00Z'),
      ],
      secrets: keySecrets,
    });
    expect(table.mcpServersByNamespace).toEqual({
      'team-a': ['platform/search', 'team-a/github'],
      'team-b': ['platform/search', 'team-b/jira'],
    });
    expect(Object.keys(table.mcpServers ?? {})).toEqual(['no-keys/lonely', 'platform/search', 'team-a/github', 'team-b/jira']);
  });

  it.each<[string, string, string, boolean]>([
    ['two servers of one namespace', 'team-a', 'team-a', true],
    ['a server of a shared namespace and one of a team', 'platform', 'team-a', true],
    ['servers of two unrelated namespaces', 'team-a', 'team-b', false],
  ])('settles a prefix claimed by %s (older wins): conflict %s', (_name, olderNamespace, newerNamespace, conflict) => {
    const { table, diagnostics } = compile({
      ...keys,
      sharedNamespaces: ['platform'],
      // The newer one is listed first: age decides, not input order.
      objects: [
        at('gh-two', newerNamespace, '2026-01-02T00:00:00Z', { prefix: 'github' }),
        at('gh-one', olderNamespace, '2026-01-01T00:00:00Z', { prefix: 'github' }),
      ],
      secrets: keySecrets,
    });
    const newer = conditionOf(diagnostics, 'MCPServer', `${newerNamespace}/gh-two`, 'Accepted');
    expect(conditionOf(diagnostics, 'MCPServer', `${olderNamespace}/gh-one`, 'Accepted')?.status).toBe('True');
    if (conflict) {
      expect(newer).toMatchObject({ status: 'False', reason: 'Conflict' });
      expect(newer?.message).toContain(`older MCPServer ${olderNamespace}/gh-one`);
      expect(table.mcpServers?.[`${newerNamespace}/gh-two`]).toBeUndefined();
    } else {
      expect(newer?.status).toBe('True');
    }
  });
});

describe('VirtualKey.spec.mcp', () => {
  it('compiles allowedTools and the call rate limit; a key without mcp has none (deny by default)', () => {
    const { table } = compile({
      virtualKeys: [
        virtualKey({ name: 'tools' }, { mcp: { allowedTools: ['github__*', 'search__query'], rateLimit: { callsPerMinute: 60 } } }),
        virtualKey({ name: 'plain' }),
      ],
      secrets: [keySecret('tools'), keySecret('plain')],
    });
    const byName = Object.fromEntries(table.keys.map((key) => [key.name, key]));
    expect(byName['tools']?.mcp).toEqual({ allowedTools: ['github__*', 'search__query'], rateLimit: { callsPerMinute: 60 } });
    expect(byName['plain']).not.toHaveProperty('mcp');
  });
});

describe('ModelRoute.spec.mcp', () => {
  const mockRoute = (namespace: string, servers: string[], maxRounds?: number) =>
    route(
      { name: 'assistant', namespace },
      { backends: [{ name: 'm', provider: 'mock', model: 'm' }], mcp: { servers, ...(maxRounds === undefined ? {} : { maxRounds }) } },
    );

  it.each<[string, string, string[], number | undefined, { servers: string[]; maxRounds: number } | undefined, string | undefined]>([
    [
      'resolves a name in the route namespace before the shared one',
      'team-a',
      ['github'],
      undefined,
      { servers: ['team-a/github'], maxRounds: 5 },
      undefined,
    ],
    ['resolves a shared server', 'team-a', ['search'], 3, { servers: ['platform/search'], maxRounds: 3 }, undefined],
    [
      'keeps the resolved servers and reports the unknown one',
      'team-a',
      ['nope', 'search'],
      undefined,
      { servers: ['platform/search'], maxRounds: 5 },
      '"nope"',
    ],
    ["does not reach another team's server", 'team-b', ['gitlab'], undefined, undefined, '"gitlab"'],
  ])('%s', (_name, namespace, servers, maxRounds, expected, missing) => {
    const { table, diagnostics } = compile({
      sharedNamespaces: ['platform'],
      routes: [mockRoute(namespace, servers, maxRounds)],
      objects: [
        mcpServer({ name: 'github', namespace: 'team-a' }),
        mcpServer({ name: 'gitlab', namespace: 'team-a' }),
        mcpServer({ name: 'github', namespace: 'platform' }, { prefix: 'github-shared' }),
        mcpServer({ name: 'search', namespace: 'platform' }),
      ],
    });
    const id = `${namespace}/assistant`;
    expect(table.routes[id]?.mcp).toEqual(expected);
    expect(conditionOf(diagnostics, 'ModelRoute', id, 'Accepted')?.status).toBe('True');
    const refs = conditionOf(diagnostics, 'ModelRoute', id, 'ResolvedRefs');
    if (missing) {
      expect(refs).toMatchObject({ status: 'False', reason: 'MCPServerNotFound' });
      expect(refs?.message).toContain(missing);
    } else {
      expect(refs?.status).toBe('True');
    }
  });

  it('does not resolve to a server that was refused', () => {
    const { table, diagnostics } = compile({
      routes: [mockRoute('default', ['broken'])],
      objects: [mcpServer({ name: 'broken' }, { auth: { type: 'bearer', secretRef: { name: 'missing', key: 't' } } })],
    });
    expect(table.routes['default/assistant']?.mcp).toBeUndefined();
    expect(conditionOf(diagnostics, 'ModelRoute', 'default/assistant', 'ResolvedRefs')?.reason).toBe('MCPServerNotFound');
  });
});

describe('standalone mode', () => {
  const files = (...documents: string[]) => [{ path: 'mcp.yaml', text: documents.join('\n---\n') }];
  const stdioServer = `apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: everything}
spec:
  command: [node, server.mjs]
  toolFilter: {exclude: ["delete_*"]}`;
  const bearerServer = `apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: github}
spec:
  url: https://mcp.example.com/mcp
  auth: {type: bearer, secretRef: {name: gh, key: token}}`;

  it('compiles the same manifests from the config dir, stdio servers included', () => {
    const result = compileStandaloneFiles(
      files(stdioServer, bearerServer, 'apiVersion: v1\nkind: Secret\nmetadata: {name: gh}\nstringData: {token: ghp-1}'),
      { env: {} },
    );
    expect(result.table.mcpServers?.['default/everything']).toMatchObject({
      transport: 'stdio',
      command: ['node', 'server.mjs'],
      toolFilter: { include: ['*'], exclude: ['delete_*'] },
    });
    expect(result.table.mcpServers?.['default/github']?.auth).toEqual({ type: 'bearer', ref: 'default/gh/token', token: 'ghp-1' });
  });

  it('refuses the whole config when a server misses its Secret, naming the file, the object and the Secret', () => {
    let error: unknown;
    try {
      compileStandaloneFiles(files(bearerServer), { env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('mcp.yaml');
    expect((error as Error).message).toContain('MCPServer default/github');
    expect((error as Error).message).toContain('Secret default/gh not found');
  });
});
