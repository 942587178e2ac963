// stdio MCP servers (`spec.command`, standalone mode): a real gateway process starts the official
// SDK's stdio server as its child and serves its tools on /mcp to the official SDK client. The
// child sees spec.env (literal and from a Secret) and only PATH/HOME/LANG/TMPDIR of the gateway's
// environment; a child that exits mid-call fails that call and the next call starts another; a
// program that is missing or keeps failing gets a clear error and a back-off; an oversized line is
// refused without harming later calls; a server removed from the manifests, or the gateway's own
// exit, stops its child.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const KEY = testKey('mcpstdio');
const FIXTURE = fileURLToPath(new URL('./stdio-server-fixture.js', import.meta.url));
const CHILD_TOKEN = 'a-token-only-the-stdio-server-may-see-0123456789';
const GATEWAY_ONLY = 'a-provider-credential-of-the-gateway-itself-0123456789';
const MAX_RESULT_BYTES = 64 * 1024;

function server(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name, namespace: 'default' }, spec };
}

function manifests(withTools: boolean): string {
  return documents(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tool-token', namespace: 'default' }, stringData: { token: CHILD_TOKEN } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key', namespace: 'default' }, stringData: { key: KEY } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'agent', namespace: 'default' },
      spec: { secretName: 'key', mcp: { allowedTools: ['*'] } },
    },
    ...(withTools
      ? [
          server('tools', {
            command: [process.execPath, FIXTURE],
            env: [
              { name: 'FIXTURE_GREETING', value: 'hello from spec.env' },
              { name: 'FIXTURE_TOKEN', valueFrom: { secretKeyRef: { name: 'tool-token', key: 'token' } } },
            ],
            timeouts: { call: '10s' },
          }),
        ]
      : []),
    server('missing', { command: ['/nonexistent/switchyard-no-such-program'], timeouts: { call: '5s' } }),
    server('broken', { command: [process.execPath, FIXTURE, '--exit-at-start'], timeouts: { call: '5s' } }),
  );
}

async function connect(gateway: GatewayProcess): Promise<Client> {
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }),
  );
  return client;
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '').join('');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function whoami(client: Client): Promise<{ pid: number; envNames: string[]; greeting: string | null; tokenSha256: string | null }> {
  const result = await client.callTool({ name: 'tools__whoami', arguments: {} });
  expect(result.isError).toBeFalsy();
  return result.structuredContent as { pid: number; envNames: string[]; greeting: string | null; tokenSha256: string | null };
}

describe('stdio MCP servers in a standalone gateway', () => {
  let gateway: GatewayProcess;
  let client: Client;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': manifests(true) },
      env: { OPENAI_API_KEY: GATEWAY_ONLY },
      args: ['--mcp-max-result-bytes', String(MAX_RESULT_BYTES)],
    });
    client = await connect(gateway);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
  });

  it("lists and calls the child's tools; the child sees spec.env and none of the gateway's credentials", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['tools__crash', 'tools__echo', 'tools__huge', 'tools__noisy', 'tools__whoami']);
    const echoed = await client.callTool({ name: 'tools__echo', arguments: { text: 'over stdio' } });
    expect(echoed.structuredContent).toEqual({ echoed: 'over stdio' });

    const seen = await whoami(client);
    expect(seen.greeting).toBe('hello from spec.env');
    expect(seen.tokenSha256).toBe(hash('sha256', CHILD_TOKEN, 'hex'));
    expect(seen.envNames).not.toContain('OPENAI_API_KEY');
    expect(seen.envNames.filter((name) => !['FIXTURE_GREETING', 'FIXTURE_TOKEN', 'PATH', 'HOME', 'LANG', 'TMPDIR'].includes(name))).toEqual(
      [],
    );
    expect(gateway.logs()).not.toContain(CHILD_TOKEN);
  });

  it('log text on stdout is skipped; an answer longer than --mcp-max-result-bytes is refused and the next call works', async () => {
    expect(text(await client.callTool({ name: 'tools__noisy', arguments: {} }))).toBe('still answered');
    const before = (await whoami(client)).pid;
    const huge = await client.callTool({ name: 'tools__huge', arguments: { size: MAX_RESULT_BYTES * 2 } });
    expect(huge.isError).toBe(true);
    expect(text(huge)).toContain(`larger than the ${MAX_RESULT_BYTES}-byte limit (--mcp-max-result-bytes)`);
    // The line could not be framed, so that child was stopped and a new one serves the next call.
    const after = (await whoami(client)).pid;
    expect(after).not.toBe(before);
    await eventually(async () => !alive(before));
  });

  it('a child that exits mid-call fails that call with its exit code; the next call starts another', async () => {
    const before = (await whoami(client)).pid;
    const crashed = await client.callTool({ name: 'tools__crash', arguments: {} });
    expect(crashed.isError).toBe(true);
    expect(text(crashed)).toContain('the stdio server exited with code 3');
    const after = (await whoami(client)).pid;
    expect(after).not.toBe(before);
  });

  it('a missing program and a program that exits at start are named; a failing one is retried only after a back-off', async () => {
    const missing = await client.callTool({ name: 'missing__anything', arguments: {} });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('cannot start the stdio server: the program "/nonexistent/switchyard-no-such-program" was not found');

    // Each listing starts the failing program again unless its back-off (doubling from 500 ms) is running.
    for (let listing = 0; listing < 6; listing += 1) {
      const response = await fetch(`${gateway.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/list',
          params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
        }),
      });
      expect(response.status).toBe(200);
      await response.json();
    }
    // Log lines leave in batches (up to 20 ms): wait for the two, with a deadline.
    const broken = (): string[] =>
      gateway
        .logs()
        .split('\n')
        .filter((line) => line.includes('"server":"default/broken"'));
    await eventually(async () =>
      broken().some((line) => /"error":"the stdio server exited with code 7; it is started again in \d+ ms"/.test(line)),
    );
    expect(broken().some((line) => line.includes('"error":"the stdio server exited with code 7"'))).toBe(true);
  });

  it('a server removed from the manifests stops its child; the gateway stops every child when it exits', async () => {
    const pid = (await whoami(client)).pid;
    await gateway.writeManifest('all.yaml', manifests(false));
    await eventually(async () => {
      const { tools } = await client.listTools();
      return !tools.some((tool) => tool.name.startsWith('tools__'));
    });
    await eventually(async () => !alive(pid));

    await gateway.writeManifest('all.yaml', manifests(true));
    await eventually(async () => (await client.listTools()).tools.some((tool) => tool.name === 'tools__whoami'));
    const next = (await whoami(client)).pid;
    await client.close();
    await gateway.stop();
    await eventually(async () => !alive(next));
  });
});
