// MCPServers against a real API server, the operator in-process with the ServiceAccount and RBAC
// it ships with, and real upstream MCP servers: what the CRD refuses, an applied server becoming
// Ready with its tools in status (server-everything over streamable HTTP and SSE, an SDK server
// behind a bearer token), the failures Ready names, re-checks on change and on the period, and
// the compiled table (servers per namespace, a key's allowedTools), and hosted tools from an
// OpenAPI document in a ConfigMap (Ready with its tool count, an invalid document named).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseOperatorFlags } from '../../src/cli/operator-flags.js';
import { createLogger } from '../../src/observe/logger.js';
import { startOperator, type RunningOperator } from '../../src/run-operator.js';
import { conditionOf, startTestCluster, type TestCluster } from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';
import { closedPortUrl, startEverythingServer, startToolServer, type Upstream } from '../support/mcp-upstreams.js';
import { waitFor } from '../support/wait-for.js';

type Obj = Record<string, any>;

describeWithControlPlane('MCPServers against a real API server', () => {
  let cluster: TestCluster;
  let operator: RunningOperator;
  let everything: Upstream;
  let everythingSse: Upstream;
  const upstreams: Upstream[] = [];

  const get = (name: string, namespace = 'ai') => cluster.getJson<Obj>(['mcpserver', name, '-n', namespace]);
  /** Waits until the server's Ready condition describes its current generation and matches. */
  const readyOf = (name: string, match: (ready: Obj) => boolean, namespace = 'ai', timeoutMs = 20_000) =>
    waitFor(
      `${namespace}/${name} Ready`,
      async () => {
        const object = await get(name, namespace);
        const ready = conditionOf(object, 'Ready');
        return ready && ready.observedGeneration === object.metadata.generation && match(ready) ? object : undefined;
      },
      timeoutMs,
    );

  beforeAll(async () => {
    [cluster, everything, everythingSse] = await Promise.all([
      startTestCluster(),
      startEverythingServer('streamableHttp'),
      startEverythingServer('sse'),
    ]);
    upstreams.push(everything, everythingSse);
    await cluster.kubectl(['create', 'namespace', 'ai']);
    await cluster.kubectl(['create', 'namespace', 'team-b']);
    const flags = parseOperatorFlags([
      '--kubeconfig',
      await cluster.operatorKubeconfig(),
      '--listen',
      '127.0.0.1:0',
      '--health-port',
      '0',
      '--shared-namespace',
      'default',
      '--leader-election-namespace',
      'switchyard-system',
      '--replica-id',
      'in-process',
      '--mcp-recheck-interval',
      '1s',
    ]);
    operator = await startOperator(flags, { logger: createLogger({ level: 'warn' }), compileDebounceMs: 20 });
    await operator.controller.whenReady();
    await waitFor('leadership', () => operator.election.isLeader);
  }, 240_000);

  afterAll(async () => {
    await operator?.close();
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    await cluster?.stop();
  }, 60_000);

  it('is refused by the API server with the CRD messages', async () => {
    const rejected = async (spec: string) => {
      const result = await cluster.plane.kubectl(
        ['apply', '-f', '-'],
        `apiVersion: switchyard.dev/v1alpha1\nkind: MCPServer\nmetadata: {name: bad, namespace: ai}\nspec: ${spec}\n`,
      );
      expect(result.code).not.toBe(0);
      return result.stderr;
    };
    expect(await rejected('{command: [node, server.mjs]}')).toContain(
      'command (a stdio server) is only for standalone mode; in a cluster use url or openapi',
    );
    expect(await rejected('{url: "https://a.example/mcp", command: [node]}')).toContain(
      'exactly one of url, openapi and command must be set',
    );
    expect(await rejected('{url: "https://a.example/mcp", env: [{name: TOKEN, value: x}]}')).toContain(
      'env is for stdio servers (command); use headers for url servers',
    );
    expect(await rejected('{url: "https://a.example/mcp", prefix: git__hub}')).toContain("prefix may not contain '__'");
    expect(await rejected('{openapi: {baseURL: "https://a.example"}}')).toContain('openapi needs exactly one of configMapRef and inline');
    expect(await rejected('{url: "https://a.example/mcp", auth: {type: bearer}}')).toContain('auth type bearer needs secretRef');
    expect(
      await rejected(
        '{url: "https://a.example/mcp", auth: {type: oauth2PerUser, tokenURL: "https://a.example/t", clientId: c, clientSecretRef: {name: s, key: k}}}',
      ),
    ).toContain('auth type oauth2PerUser needs authorizationURL');
    expect(await rejected('{url: "https://a.example/mcp", timeouts: {call: 2h}}')).toContain('must be greater than 0 and at most 1h');
    const dotted = await cluster.plane.kubectl(
      ['apply', '-f', '-'],
      'apiVersion: switchyard.dev/v1alpha1\nkind: MCPServer\nmetadata: {name: git.hub, namespace: ai}\nspec: {url: "https://a.example/mcp"}\n',
    );
    expect(dotted.stderr).toContain(
      "the name is not a valid tool prefix (it contains '.' or is longer than 63 characters); set spec.prefix",
    );
  });

  it('becomes Ready with its tools, the negotiated version and every condition at the current generation', async () => {
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: everything, namespace: ai}
spec:
  url: ${everything.url}
  toolFilter: {exclude: ["get-*"]}
---
apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: everything-sse, namespace: ai}
spec:
  url: ${everythingSse.url}
  transport: sse
  prefix: legacy
`);
    const ready = await readyOf('everything', (c) => c.status === 'True');
    const generation = ready.metadata.generation;
    expect(ready.status.observedGeneration).toBe(generation);
    for (const type of ['Accepted', 'ResolvedRefs', 'Programmed', 'Ready']) {
      expect(conditionOf(ready, type)?.observedGeneration).toBe(generation);
    }
    expect(conditionOf(ready, 'Accepted')?.status).toBe('True');
    expect(ready.status.tools).toContain('everything__echo');
    expect(ready.status.tools.some((name: string) => name.startsWith('everything__get-'))).toBe(false);
    expect(ready.status.toolCount).toBe(ready.status.tools.length);
    expect(ready.status.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(conditionOf(ready, 'Ready')?.message).toBe(
      `listed ${ready.status.toolCount} tools over protocol ${ready.status.protocolVersion}`,
    );

    const sse = await readyOf('everything-sse', (c) => c.status === 'True');
    expect(sse.status.tools).toContain('legacy__echo');

    const table = await cluster.kubectl(['get', 'mcpservers', '-n', 'ai']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+URL\s+BASE URL\s+TRANSPORT\s+TOOLS\s+READY\s+AGE$/);
    // A url server has no OpenAPI base URL: the column is empty (or <none>).
    expect(table).toMatch(
      new RegExp(
        `everything\\s+${everything.url.replace(/[.]/g, '\\.')}\\s+(<none>\\s+)?streamable-http\\s+${ready.status.toolCount}\\s+True`,
      ),
    );
  }, 60_000);

  it('is checked again when its spec changes', async () => {
    const before = await get('everything');
    await cluster.kubectl([
      'patch',
      'mcpserver',
      'everything',
      '-n',
      'ai',
      '--type',
      'merge',
      '-p',
      '{"spec":{"toolFilter":{"include":["echo"]}}}',
    ]);
    const after = await readyOf('everything', (c) => c.status === 'True' && c.observedGeneration > before.metadata.generation);
    expect(after.status.tools).toEqual(['everything__echo']);
    expect(after.status.toolCount).toBe(1);
  }, 30_000);

  it('names a missing Secret, then becomes Ready once the Secret holds the right token; a wrong token is Unauthorized', async () => {
    const tools = await startToolServer({ tools: ['create_issue', 'close_issue'], token: 'ghp-right' });
    upstreams.push(tools);
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: github, namespace: ai}
spec:
  url: ${tools.url}
  auth: {type: bearer, secretRef: {name: gh, key: token}}
  headers: [{name: X-Org, value: acme}]
`);
    const missing = await readyOf('github', (c) => c.status === 'False' && c.reason === 'NotAccepted');
    expect(conditionOf(missing, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
    expect(conditionOf(missing, 'ResolvedRefs')?.message).toContain('Secret ai/gh not found');
    expect(conditionOf(missing, 'Accepted')).toMatchObject({ status: 'False', reason: 'UnresolvedRefs' });

    await cluster.kubectl(['create', 'secret', 'generic', 'gh', '-n', 'ai', '--from-literal=token=ghp-wrong']);
    const refused = await readyOf('github', (c) => c.status === 'False' && c.reason === 'Unauthorized');
    expect(conditionOf(refused, 'Ready')?.message).toBe('the server answered HTTP 401');
    expect(JSON.stringify(refused.status)).not.toContain('ghp-wrong');

    // A Secret change is no spec change: the compiled server changes, so it is checked again.
    await cluster
      .kubectl(['create', 'secret', 'generic', 'gh', '-n', 'ai', '--from-literal=token=ghp-right', '--dry-run=client', '-o', 'yaml'])
      .then((yaml) => cluster.kubectl(['apply', '-f', '-'], yaml));
    const ready = await readyOf('github', (c) => c.status === 'True');
    expect(ready.status.tools).toEqual(['github__close_issue', 'github__create_issue']);
    expect(tools.seen.at(-1)?.['x-org']).toBe('acme');

    // Re-checked on the period: the upstream going away turns Ready False without any change.
    await tools.close();
    const down = await readyOf('github', (c) => c.status === 'False' && c.reason === 'Unreachable');
    expect(down.status.toolCount).toBe(2); // the last successful check's tools stay
  }, 60_000);

  it('reports an unreachable server and compiles servers and key permissions into the table per namespace', async () => {
    const nowhere = await closedPortUrl();
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: nowhere, namespace: team-b}
spec: {url: "${nowhere}", timeouts: {connect: 2s}}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: agent, namespace: ai}
spec:
  secretName: agent-key
  mcp: {allowedTools: ["everything__*"], rateLimit: {callsPerMinute: 30}}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: other, namespace: team-b}
spec: {secretName: other-key}
`);
    const unreachable = await readyOf('nowhere', (c) => c.status === 'False', 'team-b');
    expect(conditionOf(unreachable, 'Ready')).toMatchObject({ reason: 'Unreachable', message: 'cannot connect (ECONNREFUSED)' });

    const table = await waitFor('keys in the table', () => {
      const current = operator.controller.table;
      return current && current.keys.length >= 2 ? current : undefined;
    });
    expect(table.mcpServersByNamespace?.['ai']).toEqual(['ai/everything', 'ai/everything-sse', 'ai/github']);
    expect(table.mcpServersByNamespace?.['team-b']).toEqual(['team-b/nowhere']);
    expect(table.keys.find((key) => key.id === 'ai/agent')?.mcp).toEqual({
      allowedTools: ['everything__*'],
      rateLimit: { callsPerMinute: 30 },
    });
    expect(table.keys.find((key) => key.id === 'team-b/other')).not.toHaveProperty('mcp');
    expect(table.mcpServers?.['ai/github']?.auth).toEqual({ type: 'bearer', ref: 'ai/gh/token', token: 'ghp-right' });
  }, 60_000);
  it('reads an OpenAPI document from a ConfigMap: Ready with its tools, an invalid document named in Ready', async () => {
    const document = (paths: Record<string, unknown>) => JSON.stringify(JSON.stringify({ openapi: '3.1.0', info: {}, paths }));
    const configMap = (paths: Record<string, unknown>) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: pets-api, namespace: ai}
data:
  openapi.json: ${document(paths)}
`;
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: pets, namespace: ai}
spec:
  openapi:
    configMapRef: {name: pets-api, key: openapi.json}
    baseURL: https://pets.example.com/v1
  toolFilter: {exclude: ["delete*"]}
`);
    const missing = await readyOf('pets', (c) => c.status === 'False' && c.reason === 'NotAccepted');
    expect(conditionOf(missing, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'ConfigMapNotFound' });
    expect(conditionOf(missing, 'Ready')?.message).toContain('ConfigMap ai/pets-api not found');

    await cluster.apply(
      configMap({
        '/pets': { get: { operationId: 'listPets' }, post: { operationId: 'createPet' } },
        '/pets/{id}': { delete: { operationId: 'deletePet', parameters: [{ name: 'id', in: 'path', required: true }] } },
      }),
    );
    const ready = await readyOf('pets', (c) => c.status === 'True');
    expect(ready.status.toolCount).toBe(2);
    expect(ready.status.tools).toEqual(['pets__createPet', 'pets__listPets']);
    expect(ready.status.protocolVersion).toBe('openapi 3.1.0');
    expect(conditionOf(ready, 'Ready')?.message).toBe(
      '2 tools from the OpenAPI 3.1.0 document (ConfigMap ai/pets-api key openapi.json), called at https://pets.example.com/v1',
    );
    expect(operator.controller.table?.mcpServers?.['ai/pets']?.openapi?.operations.map((operation) => operation.name)).toEqual([
      'createPet',
      'deletePet',
      'listPets',
    ]);

    // The ConfigMap changes, not the MCPServer: the document is compiled again and the problem named.
    await cluster.apply(configMap({ '/pets/{id}': { get: { operationId: 'getPet' } } }));
    const invalid = await readyOf('pets', (c) => c.status === 'False' && c.reason === 'NotAccepted');
    expect(conditionOf(invalid, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidOpenAPIDocument' });
    expect(conditionOf(invalid, 'Ready')?.message).toContain('paths./pets/{id}.get: path parameter {id} is not declared in parameters');
  }, 60_000);
});
