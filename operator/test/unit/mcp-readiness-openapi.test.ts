// Hosted tools (spec.openapi) in the operator's MCPServer readiness: their tools are the compiled
// operations, so nothing is probed (the API is never called by a check), they are Ready with the
// tools after toolFilter as soon as they are in the table, and a server left out of the table
// repeats the Accepted message (an invalid document) in Ready.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CompiledMCPServer, CompiledOpenAPIOperation, RoutingTable } from '@switchyard/compiler';
import { MCPReadiness } from '../../src/mcp/mcp-readiness.js';

const KEY = 'MCPServer/ai/pets';

function operation(name: string): CompiledOpenAPIOperation {
  return { name, method: 'GET', path: `/${name}`, parameters: [], inputSchema: { type: 'object', properties: {} } };
}

function server(generation = 1): CompiledMCPServer {
  return {
    id: 'ai/pets',
    namespace: 'ai',
    name: 'pets',
    generation,
    prefix: 'pets',
    transport: 'openapi',
    openapi: {
      baseURL: 'https://pets.example.com',
      source: 'ConfigMap ai/pets-api key openapi.json',
      version: '3.0.3',
      operations: ['listPets', 'getPet', 'deletePet'].map(operation),
    },
    headers: {},
    headerRefs: {},
    auth: { type: 'none' },
    toolFilter: { include: ['*'], exclude: ['delete*'] },
    timeouts: { connectMs: 1000, callMs: 1000 },
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

describe('MCP readiness of hosted tools', () => {
  it('is Ready with the compiled tools after toolFilter, without probing, and queues the object on every change', () => {
    const probed: CompiledMCPServer[] = [];
    const changed: string[] = [];
    readiness = new MCPReadiness({
      probe: async (s) => {
        probed.push(s);
        return { ok: false, reason: 'ProtocolError', message: 'should not be probed' };
      },
      onChanged: (key) => changed.push(key),
      isLeader: () => true,
      recheckMs: 3_600_000,
    });
    readiness.observe(table(server()));
    expect(changed).toEqual([KEY]);
    expect(readiness.statusOf(KEY, 1, true)).toEqual({
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          message: '2 tools from the OpenAPI 3.0.3 document (ConfigMap ai/pets-api key openapi.json), called at https://pets.example.com',
          observedGeneration: 1,
        },
      ],
      fields: { toolCount: 2, tools: ['pets__getPet', 'pets__listPets'], protocolVersion: 'openapi 3.0.3' },
    });
    readiness.observe(table(server()));
    expect(changed).toEqual([KEY]); // unchanged: not queued again
    readiness.observe(table(server(2)));
    expect(changed).toEqual([KEY, KEY]);
    readiness.recheckAll();
    expect(probed).toEqual([]);
  });

  it('repeats why a server is not in the table in Ready', () => {
    readiness = new MCPReadiness({
      probe: async () => ({ ok: true, toolCount: 0, tools: [], protocolVersion: '' }),
      onChanged: () => {},
      isLeader: () => true,
    });
    const refusal = 'OpenAPI document (inline): the document has no operations';
    expect(readiness.statusOf(KEY, 3, false, refusal).conditions[0]).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'NotAccepted',
      message: `not in the routing table: ${refusal}`,
      observedGeneration: 3,
    });
  });
});
