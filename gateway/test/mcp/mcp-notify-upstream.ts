// An upstream MCP server built on the official SDK's Server that exercises what the gateway
// relays, over streamable HTTP (one session per client, like a real deployment) or, through
// buildNotifyingServer, any other SDK transport (legacy SSE, stdio): it announces tool list
// changes (when a test adds a tool, or when the `announce` tool runs), a tool that sends
// progress and log notifications while it runs, and completions of a prompt argument and of a
// resource template's variable.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

export interface NotifyingUpstream {
  readonly url: string;
  /** GET requests (notification streams) that reached the server. */
  readonly streamsOpened: () => number;
  /** Progress tokens the server saw on tool calls. */
  readonly progressTokens: unknown[];
  /** Adds a tool and announces the change on every session. */
  addTool(name: string): Promise<void>;
  close(): Promise<void>;
}

const NAMES = ['Alice', 'Alan', 'Bob'];

/** Tools every notifying server starts with. */
export function initialTools(): Tool[] {
  return [
    { name: 'echo', inputSchema: { type: 'object' } },
    { name: 'slow', description: 'reports progress', inputSchema: { type: 'object' } },
    { name: 'announce', description: 'announces a tool list change', inputSchema: { type: 'object' } },
  ];
}

/** One SDK server over `tools` (a live list: a test may add to it); progress tokens seen go to `progressTokens`. */
export function buildNotifyingServer(tools: Tool[], progressTokens: unknown[]): Server {
  const server = new Server(
    { name: 'notifying-upstream', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, prompts: {}, resources: {}, completions: {}, logging: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    if (request.params.name === 'announce') {
      await server.sendToolListChanged();
      return { content: [{ type: 'text', text: 'announced' }] };
    }
    if (request.params.name !== 'slow') return { content: [{ type: 'text', text: JSON.stringify(request.params.arguments ?? {}) }] };
    const token = request.params._meta?.progressToken;
    progressTokens.push(token);
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'slow started' } });
    if (token !== undefined)
      for (const progress of [1, 2])
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress, total: 2, message: `step ${progress}` },
        });
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: [{ name: 'greet', arguments: [{ name: 'name', required: true }] }],
  }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello ${request.params.arguments?.name ?? ''}` } }],
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [{ name: 'file', uriTemplate: 'files://{name}' }],
  }));
  server.setRequestHandler(CompleteRequestSchema, (request) => {
    const { ref, argument } = request.params;
    // Which reference arrived is part of the answer, so a test sees the prefix was stripped.
    const known = (ref.type === 'ref/prompt' && ref.name === 'greet') || (ref.type === 'ref/resource' && ref.uri === 'files://{name}');
    const values = known ? NAMES.filter((name) => name.startsWith(argument.value)) : [`unknown ref ${JSON.stringify(ref)}`];
    return { completion: { values, total: values.length, hasMore: false } };
  });
  return server;
}

export async function startNotifyingUpstream(): Promise<NotifyingUpstream> {
  const tools = initialTools();
  const servers: Server[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const progressTokens: unknown[] = [];
  let streams = 0;

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.method === 'GET') streams += 1;
      let body: unknown;
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      }
      const sessionId = req.headers['mcp-session-id'];
      let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      if (transport === undefined) {
        if ((body as { method?: unknown } | undefined)?.method !== 'initialize') {
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
        const server = buildNotifyingServer(tools, progressTokens);
        servers.push(server);
        await server.connect(created);
      }
      await transport.handleRequest(req, res, body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return {
    url,
    streamsOpened: () => streams,
    progressTokens,
    async addTool(name) {
      tools.push({ name, inputSchema: { type: 'object' } });
      await Promise.all(servers.map((server) => server.sendToolListChanged().catch(() => undefined)));
    },
    close() {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}
