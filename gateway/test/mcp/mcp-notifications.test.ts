// What /mcp sends callers besides answers, through the real interface: two standalone gateway
// processes sharing a session secret, the official SDK client (2025-11-25, with its GET stream)
// and raw 2026-07-28 requests, and an upstream built on the official SDK server
// (mcp-notify-upstream.ts).
// - tools/list_changed reaches the callers held by either replica when the upstream announces a
//   change (each replica watches the upstream on its own session), and when the table changes
//   what a key sees (a standalone manifest edited on disk);
// - a 2026-07-28 `subscriptions/listen` is acknowledged and then tagged with its subscription id;
// - a tools/call's progress (under the caller's own token) and log messages arrive before its result;
//   a key a GuardrailPolicy applies to gets progress without its text, and no log messages;
// - completion/complete reaches the owner of a prefixed prompt or resource template, unprefixed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type LoggingMessageNotification,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { policyObject } from '../guardrails/guardrail-fixtures.js';
import { startNotifyingUpstream, type NotifyingUpstream } from './mcp-notify-upstream.js';

const KEYS = { full: testKey('notifyfull'), narrow: testKey('notifynarrow'), guarded: testKey('notifyguarded') };

function key(name: string, plaintext: string, allowedTools: string[], labels: Record<string, string> = {}): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'default' }, stringData: { key: plaintext } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default', labels },
      spec: { secretName: `${name}-key`, mcp: { allowedTools } },
    },
  ];
}

function server(name: string, url: string): unknown {
  return { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name, namespace: 'default' }, spec: { url } };
}

/** An SDK client whose initialize goes to `first` and every later request (its GET stream included) to `then`. */
async function connect(first: string, then: string, plaintext: string, changes: string[]): Promise<Client> {
  let sent = 0;
  const client = new Client({ name: 'notifications-test', version: '1.0.0' });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes.push('tools');
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${first}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${plaintext}` } },
      fetch: (url, init) => {
        sent += 1;
        return fetch(sent === 1 ? url : String(url).replace(first, then), init);
      },
    }),
  );
  return client;
}

const STATELESS_META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

/** The JSON-RPC messages of an event stream, as they arrive. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      buffer = buffer.slice(end + 2);
      if (data.length > 0) yield JSON.parse(data) as Record<string, unknown>;
      end = buffer.indexOf('\n\n');
    }
  }
}

describe('/mcp notifications, progress and completions', () => {
  let upstream: NotifyingUpstream;
  let secretDir: string;
  let gatewayA: GatewayProcess;
  let gatewayB: GatewayProcess;
  let yaml: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    upstream = await startNotifyingUpstream();
    yaml = documents(
      server('up', upstream.url),
      ...key('full', KEYS.full, ['*']),
      ...key('narrow', KEYS.narrow, ['up__echo']),
      ...key('guarded', KEYS.guarded, ['*'], { team: 'payments' }),
      policyObject('words', { team: 'payments' }, [
        { name: 'falcon', type: 'denylist', phrases: ['project falcon'], on: 'output', action: 'block' },
      ]),
    );
    secretDir = await mkdtemp(join(tmpdir(), 'switchyard-mcp-notify-'));
    const secretFile = join(secretDir, 'secret');
    await writeFile(secretFile, 'a-session-secret-shared-by-both-replicas-0123456789\n');
    [gatewayA, gatewayB] = await Promise.all([
      startGateway({ manifests: { 'all.yaml': yaml }, args: ['--mcp-session-secret-file', secretFile] }),
      startGateway({ manifests: { 'all.yaml': yaml }, args: ['--mcp-session-secret-file', secretFile] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await Promise.all([gatewayA?.stop(), gatewayB?.stop()]);
    await upstream?.close();
    if (secretDir !== undefined) await rm(secretDir, { recursive: true, force: true });
  });

  it('advertises list-change notifications and completions', async () => {
    const client = await connect(gatewayA.url, gatewayA.url, KEYS.full, []);
    clients.push(client);
    expect(client.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true },
      completions: {},
    });
  });

  it("relays an upstream's tools/list_changed to callers held by either replica, and table changes to the keys they concern", async () => {
    const onA: string[] = [];
    const onB: string[] = [];
    const narrow: string[] = [];
    // The second client's session begins on A and its GET stream is held by B.
    const clientA = await connect(gatewayA.url, gatewayA.url, KEYS.full, onA);
    const clientB = await connect(gatewayA.url, gatewayB.url, KEYS.full, onB);
    clients.push(clientA, clientB);
    const narrowClient = await connect(gatewayB.url, gatewayB.url, KEYS.narrow, narrow);
    clients.push(narrowClient);
    // Each replica watches the upstream on a GET stream of its own once it holds a caller's stream.
    await eventually(async () => upstream.streamsOpened() >= 2);
    await upstream.addTool('added');
    await eventually(async () => onA.length > 0 && onB.length > 0);
    const listed = await clientB.listTools();
    expect(listed.tools.map((tool) => tool.name)).toContain('up__added');
    // The narrow key may see up__echo only; the upstream's change is announced to it too (it cannot tell which tools changed).
    await eventually(async () => narrow.length > 0);

    // A table change: a second MCPServer appears in A's manifests; A's callers hear of it, B's do not.
    onA.length = 0;
    onB.length = 0;
    narrow.length = 0;
    await gatewayA.writeManifest('all.yaml', `${yaml}---\n${documents(server('more', upstream.url))}`);
    await eventually(async () => onA.length > 0, 15_000);
    expect((await clientA.listTools()).tools.map((tool) => tool.name)).toContain('more__echo');
    // B serves its own manifests, unchanged: its callers were not told anything changed.
    expect((await clientB.listTools()).tools.map((tool) => tool.name)).not.toContain('more__echo');
    expect(onB).toEqual([]);
    // The key whose allowedTools change on B hears of it; the others on B do not.
    await gatewayB.writeManifest(
      'all.yaml',
      documents(server('up', upstream.url), ...key('full', KEYS.full, ['*']), ...key('narrow', KEYS.narrow, ['up__*'])),
    );
    await eventually(async () => narrow.length > 0, 15_000);
    expect((await narrowClient.listTools()).tools.map((tool) => tool.name)).toContain('up__slow');
    expect(onB).toEqual([]);
  });

  it('answers a 2026-07-28 subscriptions/listen with an acknowledgement, then changes tagged with its id', async () => {
    const controller = new AbortController();
    const response = await fetch(`${gatewayB.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEYS.full}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'sub-1',
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['x://y'] }, _meta: STATELESS_META },
      }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = events(response.body as ReadableStream<Uint8Array>);
    const first = await stream.next();
    expect(first.value).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      // Resource subscriptions are not offered, so they are not acknowledged.
      params: { notifications: { toolsListChanged: true }, _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } },
    });
    await upstream.addTool('added-again');
    const next = await stream.next();
    expect(next.value).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } },
    });
    controller.abort();
  });

  it("relays a tools/call's progress under the caller's token, and its log messages, before the result", async () => {
    const client = await connect(gatewayA.url, gatewayB.url, KEYS.full, []);
    clients.push(client);
    const logs: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(notification.params);
    });
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'up__slow', arguments: {} }, undefined, { onprogress: (p) => progress.push(p) });
    expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
    expect(progress).toEqual([
      { progress: 1, total: 2, message: 'step 1' },
      { progress: 2, total: 2, message: 'step 2' },
    ]);
    expect(logs).toEqual([{ level: 'info', data: 'slow started' }]);
    // The upstream saw a token of the gateway's own, never the caller's.
    const seen = upstream.progressTokens.at(-1);
    expect(typeof seen).toBe('string');
    expect(String(seen)).toMatch(/^switchyard-/);
  });

  it("relays neither log messages nor progress text to a key a GuardrailPolicy applies to (they would pass the policy's checks by)", async () => {
    const client = await connect(gatewayA.url, gatewayA.url, KEYS.guarded, []);
    clients.push(client);
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(notification.params);
    });
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'up__slow', arguments: {} }, undefined, { onprogress: (p) => progress.push(p) });
    expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
    expect(progress).toEqual([
      { progress: 1, total: 2 },
      { progress: 2, total: 2 },
    ]);
    expect(logs).toEqual([]);
  });

  it('routes completion/complete for a prefixed prompt or resource template to its owner, unprefixed', async () => {
    const client = await connect(gatewayB.url, gatewayB.url, KEYS.full, []);
    clients.push(client);
    const prompt = await client.complete({ ref: { type: 'ref/prompt', name: 'up__greet' }, argument: { name: 'name', value: 'Al' } });
    expect(prompt.completion.values).toEqual(['Alice', 'Alan']);
    const template = await client.complete({
      ref: { type: 'ref/resource', uri: 'up__files://{name}' },
      argument: { name: 'name', value: 'B' },
    });
    expect(template.completion.values).toEqual(['Bob']);
    await expect(
      client.complete({ ref: { type: 'ref/prompt', name: 'nobody__greet' }, argument: { name: 'name', value: 'A' } }),
    ).rejects.toThrow(/unknown prompt: nobody__greet/);
  });
});
