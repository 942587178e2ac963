// A stdio MCP server for the stdio upstream tests: the official SDK's low-level Server on its
// StdioServerTransport, started by the gateway as `node stdio-server-fixture.js [--exit-at-start]`.
// Its tools let a test see what the child sees (its pid and environment) and misbehave on demand
// (exit mid-call, print a line longer than the gateway reads, print log text on stdout).
import { hash } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

if (process.argv.includes('--exit-at-start')) {
  process.stderr.write('refusing to start\n');
  process.exit(7);
}

const TOOLS = ['echo', 'whoami', 'crash', 'huge', 'noisy'] as const;

function run(name: string, args: Record<string, unknown>): CallToolResult {
  switch (name) {
    case 'echo':
      return { content: [{ type: 'text', text: String(args.text) }], structuredContent: { echoed: String(args.text) } };
    case 'whoami': {
      const token = process.env.FIXTURE_TOKEN;
      return {
        content: [{ type: 'text', text: 'who' }],
        structuredContent: {
          pid: process.pid,
          envNames: Object.keys(process.env).sort(),
          greeting: process.env.FIXTURE_GREETING ?? null,
          tokenSha256: token === undefined ? null : hash('sha256', token, 'hex'),
        },
      };
    }
    case 'crash':
      process.exit(3);
      break;
    case 'huge':
      return { content: [{ type: 'text', text: 'y'.repeat(Number(args.size)) }] };
    case 'noisy':
      // Log text on stdout breaks the transport's rule; the gateway skips what is not a message.
      process.stdout.write('this is not json-rpc\n');
      return { content: [{ type: 'text', text: 'still answered' }] };
  }
  return { content: [{ type: 'text', text: `no tool ${name}` }], isError: true };
}

const server = new Server({ name: 'stdio-fixture', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: TOOLS.map((name) => ({ name, inputSchema: { type: 'object' as const } })),
}));
server.setRequestHandler(CallToolRequestSchema, (request) => run(request.params.name, request.params.arguments ?? {}));
await server.connect(new StdioServerTransport());
