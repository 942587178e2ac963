// Real upstream MCP servers for the /mcp tests, on loopback: the official SDK's low-level Server
// behind its streamable HTTP transport (stateful, with its own Mcp-Session-Id, or stateless), and
// a small hand-written server of the stateless 2026-07-28 revision (the SDK does not speak it),
// each recording what reached it so tests can check what the gateway forwarded.
import { hash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';

export interface UpstreamTool {
  readonly definition: Tool;
  run(args: Record<string, unknown>): CallToolResult;
}

export interface RunningUpstream {
  readonly url: string;
  /** SHA-256 (hex) of each bearer token that reached the server, in order. */
  readonly bearerDigests: string[];
  /** Every JSON-RPC method that reached the server, in order. */
  readonly methods: string[];
  /** Tool calls as the server saw them (names without the gateway's prefix). */
  readonly calls: Array<{ name: string; arguments: unknown }>;
  close(): Promise<void>;
}

function bearerDigest(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? hash('sha256', header.slice(7), 'hex') : undefined;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : JSON.parse(text);
}

function listen(server: HttpServer, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`));
  });
}

function closeServer(server: HttpServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An SDK server; `stateful` keeps one transport per Mcp-Session-Id like a real deployment. */
export async function startSdkUpstream(
  tools: readonly UpstreamTool[],
  options: { stateful: boolean; requireBearer?: string; port?: number },
): Promise<RunningUpstream> {
  const bearerDigests: string[] = [];
  const methods: string[] = [];
  const calls: Array<{ name: string; arguments: unknown }> = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  const newServer = (): Server => {
    const server = new Server({ name: 'test-upstream', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map((tool) => tool.definition) }));
    server.setRequestHandler(CallToolRequestSchema, (request) => {
      calls.push({ name: request.params.name, arguments: request.params.arguments });
      const tool = tools.find((candidate) => candidate.definition.name === request.params.name);
      if (tool === undefined) return { content: [{ type: 'text', text: `no tool ${request.params.name}` }], isError: true };
      return tool.run(request.params.arguments ?? {});
    });
    return server;
  };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const digest = bearerDigest(req);
      if (digest !== undefined) bearerDigests.push(digest);
      if (options.requireBearer !== undefined && digest !== hash('sha256', options.requireBearer, 'hex')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return;
      }
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      const method = (body as { method?: unknown } | undefined)?.method;
      if (typeof method === 'string') methods.push(method);
      if (!options.stateful) {
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await newServer().connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      const sessionId = req.headers['mcp-session-id'];
      let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      if (transport === undefined) {
        if (method !== 'initialize') {
          res.writeHead(typeof sessionId === 'string' ? 404 : 400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'no session' } }));
          return;
        }
        const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id): void => {
            sessions.set(id, created);
          },
        });
        transport = created;
        await newServer().connect(created);
      }
      await (transport as StreamableHTTPServerTransport).handleRequest(req, res, body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  const url = await listen(http, options.port);
  return { url, bearerDigests, methods, calls, close: () => closeServer(http) };
}

/**
 * A server of the stateless revision only: it answers `server/discover`, refuses `initialize`,
 * and wants the protocol version in every request's `_meta` (and in MCP-Protocol-Version).
 */
export async function startStatelessUpstream(tools: readonly UpstreamTool[]): Promise<RunningUpstream> {
  const bearerDigests: string[] = [];
  const methods: string[] = [];
  const calls: Array<{ name: string; arguments: unknown }> = [];
  const http = createServer((req, res) => {
    void (async () => {
      const digest = bearerDigest(req);
      if (digest !== undefined) bearerDigests.push(digest);
      const body = (await readBody(req)) as { id?: number; method?: string; params?: Record<string, unknown> };
      const send = (payload: Record<string, unknown>, status = 200): void => {
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: body.id ?? null, ...payload }));
      };
      if (typeof body.method === 'string') methods.push(body.method);
      const meta = body.params?._meta as Record<string, unknown> | undefined;
      if (meta?.['io.modelcontextprotocol/protocolVersion'] !== '2026-07-28' || req.headers['mcp-protocol-version'] !== '2026-07-28') {
        send({ error: { code: -32602, message: 'this server speaks 2026-07-28 only', data: { supported: ['2026-07-28'] } } }, 400);
        return;
      }
      switch (body.method) {
        case 'server/discover':
          send({
            result: {
              resultType: 'complete',
              supportedVersions: ['2026-07-28'],
              capabilities: { tools: {} },
              serverInfo: { name: 'stateless', version: '1' },
            },
          });
          return;
        case 'tools/list':
          send({ result: { resultType: 'complete', tools: tools.map((tool) => tool.definition) } });
          return;
        case 'tools/call': {
          const params = body.params as { name: string; arguments?: Record<string, unknown> };
          calls.push({ name: params.name, arguments: params.arguments });
          const tool = tools.find((candidate) => candidate.definition.name === params.name);
          send({ result: { resultType: 'complete', ...(tool?.run(params.arguments ?? {}) ?? { content: [], isError: true }) } });
          return;
        }
        default:
          send({ error: { code: -32601, message: 'method not found' } });
      }
    })();
  });
  const url = await listen(http);
  return { url, bearerDigests, methods, calls, close: () => closeServer(http) };
}

/** A tool that echoes its `text` argument (text content and structured output). */
export function echoTool(name: string): UpstreamTool {
  return {
    definition: {
      name,
      description: `echoes its text (${name})`,
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      outputSchema: { type: 'object', properties: { echoed: { type: 'string' }, tool: { type: 'string' } }, required: ['echoed', 'tool'] },
    },
    run: (args) => ({
      content: [{ type: 'text', text: String(args.text) }],
      structuredContent: { echoed: String(args.text), tool: name },
    }),
  };
}

/** A tool whose result reports a failure (`isError`), which must reach the caller as is. */
export function failingTool(name: string): UpstreamTool {
  return {
    definition: { name, inputSchema: { type: 'object' } },
    run: () => ({ content: [{ type: 'text', text: `${name} failed on purpose` }], isError: true }),
  };
}

/** A tool answering `size` characters of text. */
export function bigTool(name: string, size: number): UpstreamTool {
  return {
    definition: { name, inputSchema: { type: 'object' } },
    run: () => ({ content: [{ type: 'text', text: 'x'.repeat(size) }] }),
  };
}
