// A stdio MCP server for the upstream notification tests: the notifying SDK server
// (mcp-notify-upstream.ts) on the official SDK's StdioServerTransport.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildNotifyingServer, initialTools } from './mcp-notify-upstream.js';

await buildNotifyingServer(initialTools(), []).connect(new StdioServerTransport());
