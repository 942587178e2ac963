// The bounds and the end of /mcp notification streams, on a real gateway process: at most 16
// streams per key (the next is refused with 429 naming the limit, and a closed one frees its
// place), a stream whose key leaves the manifests ends, and a gateway told to stop (SIGTERM)
// ends its streams instead of waiting out its drain for them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startNotifyingUpstream, type NotifyingUpstream } from './mcp-notify-upstream.js';

const KEYS = { many: testKey('streamsmany'), leaving: testKey('streamsleaving') };

function key(name: string, plaintext: string): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'default' }, stringData: { key: plaintext } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default' },
      spec: { secretName: `${name}-key`, mcp: { allowedTools: ['*'] } },
    },
  ];
}

/** A new session (initialize) and its GET stream; the caller aborts `controller` to close it. */
async function openStream(gateway: string, plaintext: string, controller: AbortController): Promise<Response> {
  const headers = {
    authorization: `Bearer ${plaintext}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const init = await fetch(`${gateway}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } },
    }),
  });
  await init.text();
  const session = init.headers.get('mcp-session-id') ?? '';
  return fetch(`${gateway}/mcp`, {
    headers: { authorization: `Bearer ${plaintext}`, accept: 'text/event-stream', 'mcp-session-id': session },
    signal: controller.signal,
  });
}

/** Resolves once the stream's body ends (the gateway closed it). */
async function ended(response: Response): Promise<true> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done } = await reader.read().catch(() => ({ done: true }));
    if (done) return true;
  }
}

describe('/mcp notification streams: bounds and endings', () => {
  let upstream: NotifyingUpstream;
  let gateway: GatewayProcess;
  let yaml: string;
  const controllers: AbortController[] = [];

  beforeAll(async () => {
    upstream = await startNotifyingUpstream();
    yaml = documents(
      { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'up', namespace: 'default' }, spec: { url: upstream.url } },
      ...key('many', KEYS.many),
      ...key('leaving', KEYS.leaving),
    );
    gateway = await startGateway({ manifests: { 'all.yaml': yaml }, args: ['--shutdown-grace', '60s'] });
  });

  afterAll(async () => {
    for (const controller of controllers) controller.abort();
    await gateway?.stop();
    await upstream?.close();
  });

  it('holds at most 16 streams per key: the next is refused with 429 naming the limit, until one closes', async () => {
    const opened: AbortController[] = [];
    for (let i = 0; i < 16; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      const response = await openStream(gateway.url, KEYS.many, controller);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      opened.push(controller);
    }
    const refused = await openStream(gateway.url, KEYS.many, new AbortController());
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringContaining('already holds 16 MCP notification streams on this gateway (the limit per key)') },
    });
    (opened[0] as AbortController).abort();
    await eventually(async () => {
      const controller = new AbortController();
      controllers.push(controller);
      const again = await openStream(gateway.url, KEYS.many, controller);
      if (again.status !== 200) await again.text();
      return again.status === 200;
    });
    for (const controller of opened) controller.abort();
  });

  it('ends the stream of a key that leaves the manifests', async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const stream = await openStream(gateway.url, KEYS.leaving, controller);
    expect(stream.status).toBe(200);
    const end = ended(stream);
    await gateway.writeManifest(
      'all.yaml',
      documents(
        { apiVersion: API_VERSION, kind: 'MCPServer', metadata: { name: 'up', namespace: 'default' }, spec: { url: upstream.url } },
        ...key('many', KEYS.many),
      ),
    );
    await expect(end).resolves.toBe(true);
  });

  it('ends its streams when told to stop, instead of waiting out the drain (--shutdown-grace 60s) for them', async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const stream = await openStream(gateway.url, KEYS.many, controller);
    expect(stream.status).toBe(200);
    const end = ended(stream);
    const exited = new Promise<number | null>((resolve) => gateway.process.once('exit', (code) => resolve(code)));
    gateway.process.kill('SIGTERM');
    await expect(end).resolves.toBe(true);
    // Far less than the 60 s grace: the drain did not wait for the stream.
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000)),
    ]);
    expect(code).toBe(0);
  }, 40_000);
});
