// Real MCP servers for the operator's checks: the reference server-everything (a child process,
// streamable HTTP or the legacy SSE transport) and a small server built with the SDK's McpServer,
// behind a bearer token, whose tools a test chooses. Plus a port that accepts and never answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { findFreePorts } from './free-ports.js';
import { repoRoot } from './repo-paths.js';
import { waitFor } from './wait-for.js';

export interface Upstream {
  url: string;
  close(): Promise<void>;
}

const EVERYTHING = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `@modelcontextprotocol/server-everything` on a free port: `/mcp` (streamable HTTP) or `/sse`. */
export async function startEverythingServer(transport: 'streamableHttp' | 'sse'): Promise<Upstream> {
  const [port] = (await findFreePorts(1)) as [number];
  const child: ChildProcess = spawn(process.execPath, [EVERYTHING, transport], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`server-everything (${transport}) on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`server-everything exited: ${stderr.slice(-2000)}`);
    return portAccepts(port);
  });
  return {
    url: `http://127.0.0.1:${port}/${transport === 'sse' ? 'sse' : 'mcp'}`,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/**
 * A stateless streamable HTTP MCP server offering `tools` (names only), refusing requests without
 * `Authorization: Bearer <token>` when a token is given. `seen` collects the headers of each request.
 */
export async function startToolServer(options: {
  tools: string[];
  token?: string;
  /** Serves POST /token: the client-credentials grant for this client, answering `token`. */
  client?: { id: string; secret: string };
}): Promise<Upstream & { seen: IncomingMessage['headers'][]; tokenURL: string }> {
  const seen: IncomingMessage['headers'][] = [];
  const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/token' && req.method === 'POST') {
      const expected = options.client && `Basic ${Buffer.from(`${options.client.id}:${options.client.secret}`).toString('base64')}`;
      req.resume();
      if (!expected || req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: options.token, token_type: 'Bearer', expires_in: 3600 }));
      return;
    }
    seen.push(req.headers);
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end('{"error":"unauthorized"}');
      return;
    }
    const mcp = new McpServer({ name: 'test-tools', version: '1.0.0' });
    for (const name of options.tools) {
      mcp.registerTool(name, { description: `the ${name} tool` }, async () => ({ content: [{ type: 'text', text: name }] }));
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  const port = await listen(http);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    tokenURL: `http://127.0.0.1:${port}/token`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Accepts TCP connections and never answers: what a hung upstream looks like. */
export async function startSilentServer(): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const [port] = (await findFreePorts(1)) as [number];
  return `http://127.0.0.1:${port}/mcp`;
}
