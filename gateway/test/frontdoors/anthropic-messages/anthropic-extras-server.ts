// A loopback HTTP server that serves only the Anthropic door's non-chat endpoints
// (`serveAnthropicExtras`: count_tokens, models) from a routing table compiled in-process from
// manifests with the real compiler, so the official SDK can be pointed at them.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileStandaloneFiles } from '@switchyard/compiler';
import { serveAnthropicExtras } from '../../../src/frontdoors/anthropic-messages/index.js';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { TableHolder } from '../../../src/table/table-holder.js';

export interface AnthropicExtrasServer {
  url: string;
  tables: TableHolder;
  close(): Promise<void>;
}

export async function startAnthropicExtrasServer(manifests: string, options: { maxBodyBytes?: number } = {}): Promise<AnthropicExtrasServer> {
  const compiled = compileStandaloneFiles([{ path: 'extras.yaml', text: manifests }], { version: 1 });
  const tables = new TableHolder(createProviderRegistry());
  tables.load(compiled.table);
  const deps = { tables, maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024 };
  let counter = 0;
  const server: Server = createServer((req, res) => {
    if (!serveAnthropicExtras(req, res, deps, `req-extras-${++counter}`)) {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('not an Anthropic extras path');
    }
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tables,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
