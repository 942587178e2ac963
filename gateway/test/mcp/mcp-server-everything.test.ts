// The reference MCP server, `@modelcontextprotocol/server-everything`, over streamable HTTP as a
// child process on loopback, behind a standalone gateway: its tools are offered prefixed, a call
// passes its text and structured content through, and a tool outside the key's globs is refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const KEY = testKey('everything');
/** A key granted the whole server, which is what reading its resources takes. */
const WHOLE_KEY = testKey('everything-whole');
const LEGACY_KEY = testKey('everything-legacy');
const ENTRY = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the server (streamable HTTP at /mcp, or the legacy SSE transport at /sse) and resolves once it says it listens. */
function startEverything(port: number, transport: 'streamableHttp' | 'sse' = 'streamableHttp'): Promise<ChildProcess> {
  const ready = transport === 'sse' ? `running on port ${port}` : `listening on port ${port}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, transport], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server-everything did not start: ${output}`));
    }, 20_000);
    // It announces the port on stderr.
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited with ${code}: ${output}`));
    });
  });
}

describe('server-everything behind /mcp', () => {
  let everything: ChildProcess;
  let legacy: ChildProcess;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const port = await freePort();
    const ssePort = await freePort();
    [everything, legacy] = await Promise.all([startEverything(port), startEverything(ssePort, 'sse')]);
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'everything' }, spec: { url: `http://127.0.0.1:${port}/mcp` } },
          {
            apiVersion: API_VERSION,
            kind: 'MCPServer',
            metadata: { name: 'legacy' },
            spec: { url: `http://127.0.0.1:${ssePort}/sse`, transport: 'sse' },
          },
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'agent-key' }, stringData: { key: KEY } },
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'whole-key' }, stringData: { key: WHOLE_KEY } },
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'legacy-key' }, stringData: { key: LEGACY_KEY } },
          {
            apiVersion: API_VERSION,
            kind: 'VirtualKey',
            metadata: { name: 'legacy' },
            spec: { secretName: 'legacy-key', mcp: { allowedTools: ['legacy__*'] } },
          },
          {
            apiVersion: API_VERSION,
            kind: 'VirtualKey',
            metadata: { name: 'whole' },
            spec: { secretName: 'whole-key', mcp: { allowedTools: ['everything__*'] } },
          },
          {
            apiVersion: API_VERSION,
            kind: 'VirtualKey',
            metadata: { name: 'agent' },
            spec: { secretName: 'agent-key', mcp: { allowedTools: ['everything__echo', 'everything__get-*', 'everything__simple-*'] } },
          },
        ),
      },
    });
  }, 40_000);

  afterAll(async () => {
    await gateway?.stop();
    everything?.kill('SIGTERM');
    legacy?.kill('SIGTERM');
  });

  it('speaks the legacy SSE transport to an upstream: tools, prompts and resources', async () => {
    const client = await connect(LEGACY_KEY);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('legacy__echo');
      expect(names.every((name) => name.startsWith('legacy__'))).toBe(true);
      // Concurrent calls share the one event stream and are matched by id.
      const echoes = await Promise.all(
        ['one', 'two', 'three'].map((message) => client.callTool({ name: 'legacy__echo', arguments: { message } })),
      );
      expect(echoes.map((echo) => echo.content)).toEqual(
        ['one', 'two', 'three'].map((message) => [{ type: 'text', text: `Echo: ${message}` }]),
      );
      const sum = await client.callTool({ name: 'legacy__get-sum', arguments: { a: 2, b: 3 } });
      expect(JSON.stringify(sum.content)).toContain('5');
      expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('legacy__simple-prompt');
      const resources = (await client.listResources()).resources;
      const first = resources[0];
      if (first === undefined) throw new Error('no resource over SSE');
      expect((await client.readResource({ uri: first.uri })).contents[0]?.uri).toBe(first.uri);
    } finally {
      await client.close();
    }
  });

  async function connect(key: string): Promise<Client> {
    const client = new Client({ name: 'everything-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
    );
    return client;
  }

  it('offers prompts prefixed and filtered by the same globs as tools', async () => {
    const client = await connect(KEY);
    try {
      const names = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
      // The key's globs admit simple-prompt and nothing else among the server's prompts.
      expect(names).toEqual(['everything__simple-prompt']);
      const prompt = await client.getPrompt({ name: 'everything__simple-prompt' });
      expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'This is a simple prompt without arguments.' });
      await expect(client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Paris' } })).rejects.toThrow(/unknown prompt/);
      // A key granted part of the server's tools reads none of its resources.
      expect((await client.listResources()).resources).toEqual([]);
      expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
      await expect(client.readResource({ uri: 'everything__demo://resource/static/document/architecture.md' })).rejects.toThrow(
        /unknown resource/,
      );
    } finally {
      await client.close();
    }
  });

  it('offers the resources of a server the key may use whole, URIs prefixed, and reads them', async () => {
    const client = await connect(WHOLE_KEY);
    try {
      const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
      expect(prompts).toEqual(expect.arrayContaining(['everything__simple-prompt', 'everything__args-prompt']));
      const withArgs = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Paris' } });
      expect(JSON.stringify(withArgs.messages)).toContain('Paris');

      const resources = (await client.listResources()).resources;
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.every((resource) => resource.uri.startsWith('everything__demo://'))).toBe(true);
      const uris = resources.map((resource) => resource.uri);
      expect([...uris].sort()).toEqual(uris);
      const first = resources[0];
      if (first === undefined) throw new Error('no resource');
      const read = await client.readResource({ uri: first.uri });
      expect(read.contents[0]?.uri).toBe(first.uri);

      const templates = (await client.listResourceTemplates()).resourceTemplates;
      const text = templates.find((template) => template.uriTemplate.includes('/dynamic/text/'));
      expect(text?.uriTemplate).toBe('everything__demo://resource/dynamic/text/{resourceId}');
      const dynamic = await client.readResource({ uri: 'everything__demo://resource/dynamic/text/7' });
      expect(dynamic.contents[0]?.uri).toBe('everything__demo://resource/dynamic/text/7');
      expect(JSON.stringify(dynamic.contents)).toContain('7');
    } finally {
      await client.close();
    }
  });

  it('lists its tools prefixed and filtered by the key, and passes calls through', async () => {
    const client = new Client({ name: 'everything-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }),
    );
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('everything__echo');
      expect(names).toContain('everything__get-sum');
      expect(names.every((name) => name === 'everything__echo' || name.startsWith('everything__get-'))).toBe(true);
      expect([...names].sort()).toEqual(names);

      const echoed = await client.callTool({ name: 'everything__echo', arguments: { message: 'through the gateway' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: through the gateway' }]);
      const weather = await client.callTool({ name: 'everything__get-structured-content', arguments: { location: 'Chicago' } });
      expect(weather.structuredContent).toMatchObject({ temperature: expect.any(Number) });
      await expect(client.callTool({ name: 'everything__trigger-long-running-operation', arguments: {} })).rejects.toThrow(/unknown tool/);
    } finally {
      await client.close();
    }
  });
});
