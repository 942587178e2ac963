// When the operator checks MCPServers and what it reports: only the leader checks, a changed
// compiled server is checked again, an unchanged one is not, a changed result queues the object,
// and the Ready condition matches the generation it was checked at.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CompiledMCPServer, RoutingTable } from '@switchyard/compiler';
import { MCPReadiness } from '../../src/mcp/mcp-readiness.js';
import type { ProbeResult } from '../../src/mcp/probe-mcp-server.js';
import { waitFor } from '../support/wait-for.js';

const KEY = 'MCPServer/ai/github';

function server(overrides: Partial<CompiledMCPServer> = {}): CompiledMCPServer {
  return {
    id: 'ai/github',
    namespace: 'ai',
    name: 'github',
    generation: 1,
    prefix: 'github',
    transport: 'streamable-http',
    url: 'http://127.0.0.1:1/mcp',
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: ['*'], exclude: [] },
    timeouts: { connectMs: 1000, callMs: 1000 },
    ...overrides,
  };
}

function table(...servers: CompiledMCPServer[]): RoutingTable {
  return {
    version: 1,
    hash: 'h',
    compiledAt: '',
    routes: {},
    modelsByNamespace: {},
    keys: [],
    budgets: [],
    mcpServers: Object.fromEntries(servers.map((s) => [s.id, s])),
    mcpServersByNamespace: {},
  };
}

let readiness: MCPReadiness | undefined;
afterEach(() => readiness?.stop());

function setup(results: ProbeResult[], leader = { value: true }) {
  const probed: CompiledMCPServer[] = [];
  const changed: string[] = [];
  readiness = new MCPReadiness({
    probe: async (s) => {
      probed.push(s);
      return results[Math.min(probed.length - 1, results.length - 1)] as ProbeResult;
    },
    onChanged: (key) => changed.push(key),
    isLeader: () => leader.value,
    recheckMs: 3_600_000,
  });
  return { readiness, probed, changed, leader };
}

const OK: ProbeResult = { ok: true, toolCount: 1, tools: ['github__x'], protocolVersion: '2025-11-25' };

describe('MCP readiness', () => {
  it('checks a new server, reports Checking until the result, then Ready with the tool fields', async () => {
    const { readiness, probed, changed } = setup([OK]);
    expect(readiness.statusOf(KEY, 1, true).conditions[0]).toMatchObject({ status: 'Unknown', reason: 'Checking' });
    readiness.observe(table(server()));
    await waitFor('the result', () => changed.length === 1);
    expect(probed).toHaveLength(1);
    expect(readiness.statusOf(KEY, 1, true)).toEqual({
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Ready', message: 'listed 1 tool over protocol 2025-11-25', observedGeneration: 1 },
      ],
      fields: { toolCount: 1, tools: ['github__x'], protocolVersion: '2025-11-25' },
    });
    // A result for generation 1 does not describe generation 2.
    expect(readiness.statusOf(KEY, 2, true).conditions[0]).toMatchObject({ status: 'Unknown', reason: 'Checking', observedGeneration: 2 });
    expect(readiness.statusOf(KEY, 1, false).conditions[0]).toMatchObject({ status: 'False', reason: 'NotAccepted' });
  });

  it('checks again only when the compiled server changes, and queues the object only when the result changes', async () => {
    const down: ProbeResult = { ok: false, reason: 'Unreachable', message: 'cannot connect (ECONNREFUSED)' };
    const { readiness, probed, changed } = setup([OK, OK, down]);
    readiness.observe(table(server()));
    await waitFor('first check', () => changed.length === 1);
    readiness.observe(table(server()));
    expect(probed).toHaveLength(1);
    readiness.observe(table(server({ headers: { 'X-Org': 'rotated' } })));
    await waitFor('second check', () => probed.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(changed).toHaveLength(1); // same result: nothing to write
    readiness.recheckAll();
    await waitFor('third check', () => changed.length === 2);
    expect(readiness.statusOf(KEY, 1, true)).toEqual({
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Unreachable', message: 'cannot connect (ECONNREFUSED)', observedGeneration: 1 },
      ],
      fields: {},
    });
  });

  it('checks nothing on a replica that does not lead, until it leads', async () => {
    const { readiness, probed, changed, leader } = setup([OK], { value: false });
    readiness.observe(table(server()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(probed).toHaveLength(0);
    leader.value = true;
    readiness.recheckAll();
    await waitFor('the check', () => changed.length === 1);
  });

  it('does not list per-user OAuth servers, which need a user', async () => {
    const { readiness, probed } = setup([OK]);
    readiness.observe(
      table(
        server({
          auth: {
            type: 'oauth2PerUser',
            authorizationURL: 'https://a/x',
            tokenURL: 'https://a/t',
            clientId: 'c',
            clientSecretRef: 'r',
            clientSecret: 's',
            scopes: [],
          },
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(probed).toHaveLength(0);
    expect(readiness.statusOf(KEY, 1, true).conditions[0]).toMatchObject({ status: 'Unknown', reason: 'PerUserAuthorization' });
  });
});
