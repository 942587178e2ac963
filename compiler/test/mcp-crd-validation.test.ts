// The MCPServer CRD and the mcp sections of VirtualKey and ModelRoute, through the same validator
// standalone mode uses (schema, defaults, CEL twins): what the API server refuses, with its
// message, and what it accepts. The one deliberate difference is `command`, which the twins accept
// because only standalone mode runs them (the CRD's own rule refuses it in a cluster).

import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadCrdSchemas, type CrdSchemas, type MCPServerManifest } from '../src/index.js';
import { crdDir, mcpServer, route, virtualKey } from './support/manifests.js';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadCrdSchemas(crdDir);
});

type Patch = Record<string, unknown>;
const serverWith = (patch: Patch, name = 'github'): unknown => {
  const base = mcpServer({ name });
  return { ...base, spec: { ...base.spec, ...patch } };
};
const oauth = { tokenURL: 'https://auth.example.com/token', clientId: 'sy', clientSecretRef: { name: 'gh', key: 'secret' } };

const rejected: { name: string; object: unknown; field: string; message: string }[] = [
  {
    name: 'neither url, openapi nor command',
    object: serverWith({ url: undefined }),
    field: 'spec',
    message: 'exactly one of url, openapi and command must be set',
  },
  {
    name: 'url and command',
    object: serverWith({ command: ['node', 'server.mjs'] }),
    field: 'spec',
    message: 'exactly one of url, openapi and command must be set',
  },
  {
    name: 'env on a url server',
    object: serverWith({ env: [{ name: 'TOKEN', value: 'x' }] }),
    field: 'spec',
    message: 'env is for stdio servers (command); use headers for url servers',
  },
  {
    name: 'an env entry with both value and valueFrom',
    object: serverWith({
      url: undefined,
      command: ['node', 'server.mjs'],
      env: [{ name: 'TOKEN', value: 'x', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } }],
    }),
    field: 'spec.env[0]',
    message: 'set exactly one of value and valueFrom',
  },
  {
    name: 'an env name that is not a variable name',
    object: serverWith({ url: undefined, command: ['node', 'server.mjs'], env: [{ name: '1-TOKEN', value: 'x' }] }),
    field: 'spec.env[0].name',
    message: 'must match the pattern ^[A-Za-z_][A-Za-z0-9_]{0,127}$',
  },
  {
    name: 'a URL with a query',
    object: serverWith({ url: 'https://mcp.example.com/mcp?x=1' }),
    field: 'spec.url',
    message: 'must be an http:// or https:// URL without query or fragment',
  },
  {
    name: 'unknown transport',
    object: serverWith({ transport: 'websocket' }),
    field: 'spec.transport',
    message: 'must be one of: streamable-http, sse',
  },
  {
    name: 'a prefix with a double underscore',
    object: serverWith({ prefix: 'git__hub' }),
    field: 'spec.prefix',
    message: "prefix may not contain '__', which separates the prefix from the tool name",
  },
  {
    name: 'an upper-case prefix',
    object: serverWith({ prefix: 'GitHub' }),
    field: 'spec.prefix',
    message: "must be a tool prefix: lowercase letters, digits, '_' and '-', starting with a letter or digit",
  },
  {
    name: 'a dotted name without a prefix',
    object: serverWith({}, 'git.hub'),
    field: 'spec.prefix',
    message: "the name is not a valid tool prefix (it contains '.' or is longer than 63 characters); set spec.prefix",
  },
  {
    name: 'bearer without its Secret',
    object: serverWith({ auth: { type: 'bearer' } }),
    field: 'spec.auth',
    message: 'auth type bearer needs secretRef (the Secret entry holding the token)',
  },
  {
    name: 'a secretRef without bearer',
    object: serverWith({ auth: { secretRef: { name: 'gh', key: 'token' } } }),
    field: 'spec.auth',
    message: 'secretRef is only for auth type bearer',
  },
  {
    name: 'client credentials without a client id',
    object: serverWith({ auth: { type: 'oauth2ClientCredentials', ...oauth, clientId: undefined } }),
    field: 'spec.auth',
    message: 'the oauth2 auth types need tokenURL, clientId and clientSecretRef',
  },
  {
    name: 'OAuth fields on bearer',
    object: serverWith({ auth: { type: 'bearer', secretRef: { name: 'gh', key: 'token' }, scopes: ['repo'] } }),
    field: 'spec.auth',
    message: 'tokenURL, clientId, clientSecretRef and scopes are only for the oauth2 auth types',
  },
  {
    name: 'per-user OAuth without an authorization URL',
    object: serverWith({ auth: { type: 'oauth2PerUser', ...oauth } }),
    field: 'spec.auth',
    message: 'auth type oauth2PerUser needs authorizationURL',
  },
  {
    name: 'an authorization URL on client credentials',
    object: serverWith({ auth: { type: 'oauth2ClientCredentials', ...oauth, authorizationURL: 'https://auth.example.com/authorize' } }),
    field: 'spec.auth',
    message: 'authorizationURL is only for auth type oauth2PerUser',
  },
  {
    name: 'a header with both value and valueFrom',
    object: serverWith({ headers: [{ name: 'X-Org', value: 'a', valueFrom: { secretKeyRef: { name: 'gh', key: 'org' } } }] }),
    field: 'spec.headers[0]',
    message: 'a header needs exactly one of value and valueFrom',
  },
  {
    name: 'an Authorization header',
    object: serverWith({ headers: [{ name: 'Authorization', value: 'Bearer x' }] }),
    field: 'spec.headers[0]',
    message:
      'headers may not set authorization, host, content-length, content-type, transfer-encoding, connection, mcp-session-id, mcp-protocol-version or last-event-id; the gateway owns them (credentials go in auth)',
  },
  {
    name: 'a header named twice',
    object: serverWith({
      headers: [
        { name: 'X-Org', value: 'a' },
        { name: 'X-Org', value: 'b' },
      ],
    }),
    field: 'spec.headers[1]',
    message: 'duplicate entry: same name as item 0',
  },
  {
    name: 'a zero connect timeout',
    object: serverWith({ timeouts: { connect: '0s' } }),
    field: 'spec.timeouts.connect',
    message: 'must be greater than 0 and at most 5m',
  },
  {
    name: 'a two-hour call timeout',
    object: serverWith({ timeouts: { call: '2h' } }),
    field: 'spec.timeouts.call',
    message: 'must be greater than 0 and at most 1h',
  },
  {
    name: 'a tool glob with a space',
    object: serverWith({ toolFilter: { exclude: ['delete *'] } }),
    field: 'spec.toolFilter.exclude[0]',
    message: "must be a tool name glob: letters, digits, '_', '.', '/', '-' and '*' (at most 128)",
  },
  {
    name: 'openapi without a base URL',
    object: serverWith({ url: undefined, openapi: { configMapRef: { name: 'api', key: 'spec.yaml' } } }),
    field: 'spec.openapi.baseURL',
    message: 'is required',
  },
  {
    name: 'a key with an empty allowedTools',
    object: virtualKey({ name: 'k' }, { mcp: { allowedTools: [] } }),
    field: 'spec.mcp.allowedTools',
    message: 'must not have fewer than 1 items',
  },
  {
    name: 'a key mcp section without allowedTools',
    object: virtualKey({ name: 'k' }, { mcp: {} as never }),
    field: 'spec.mcp.allowedTools',
    message: 'is required',
  },
  {
    name: 'a zero call rate',
    object: virtualKey({ name: 'k' }, { mcp: { allowedTools: ['*'], rateLimit: { callsPerMinute: 0 } } }),
    field: 'spec.mcp.rateLimit.callsPerMinute',
    message: 'must be >= 1',
  },
  {
    name: 'a route with zero rounds',
    object: route({ name: 'gpt-4o' }, { mcp: { servers: ['github'], maxRounds: 0 } }),
    field: 'spec.mcp.maxRounds',
    message: 'must be >= 1',
  },
  {
    name: 'a route mcp section without servers',
    object: route({ name: 'gpt-4o' }, { mcp: { servers: [] } }),
    field: 'spec.mcp.servers',
    message: 'must not have fewer than 1 items',
  },
];

describe('MCP schema validation rejects bad manifests with the API server message', () => {
  it.each(rejected)('$name', ({ object, field, message }) => {
    const result = schemas.validate(object);
    expect(result.ok).toBe(false);
    expect(result.issues[0]).toEqual({ field, message });
  });
});

describe('MCP schema validation accepts good manifests', () => {
  it.each<{ name: string; object: unknown }>([
    { name: 'a bare URL', object: mcpServer({ name: 'github' }) },
    { name: 'a dotted name with a prefix', object: serverWith({ prefix: 'github' }, 'git.hub') },
    {
      name: 'everything',
      object: serverWith({
        transport: 'sse',
        headers: [
          { name: 'X-Team', value: 'core' },
          { name: 'X-Org', valueFrom: { secretKeyRef: { name: 'gh', key: 'org' } } },
        ],
        auth: { type: 'oauth2PerUser', ...oauth, authorizationURL: 'https://auth.example.com/authorize', scopes: ['repo', 'read:org'] },
        prefix: 'gh',
        toolFilter: { include: ['*'], exclude: ['delete_*'] },
        timeouts: { connect: '5s', call: '60s' },
      }),
    },
    { name: 'bearer', object: serverWith({ auth: { type: 'bearer', secretRef: { name: 'gh', key: 'token' } } }) },
    {
      name: 'openapi (schema only)',
      object: serverWith({ url: undefined, openapi: { configMapRef: { name: 'api', key: 'a.yaml' }, baseURL: 'https://api.example.com' } }),
    },
    { name: 'command (standalone mode runs these twins)', object: serverWith({ url: undefined, command: ['node', 'server.mjs'] }) },
    {
      name: 'a key with tools',
      object: virtualKey({ name: 'k' }, { mcp: { allowedTools: ['github__*'], rateLimit: { callsPerMinute: 60 } } }),
    },
    { name: 'a route with hosted tools', object: route({ name: 'gpt-4o' }, { mcp: { servers: ['github'], maxRounds: 5 } }) },
  ])('$name', ({ object }) => {
    const result = schemas.validate(object);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('applies the CRD defaults', () => {
    const result = schemas.validate(mcpServer({ name: 'github' }));
    expect((result.value as MCPServerManifest).spec).toEqual({
      url: 'https://mcp.example.com/mcp',
      transport: 'streamable-http',
      auth: { type: 'none' },
      toolFilter: { include: ['*'], exclude: [] },
      timeouts: { connect: '5s', call: '60s' },
    });
    const routed = schemas.validate(route({ name: 'gpt-4o' }, { mcp: { servers: ['github'] } }));
    expect((routed.value as { spec: { mcp: unknown } }).spec.mcp).toEqual({ servers: ['github'], maxRounds: 5 });
  });
});
