// A loopback HTTP server that serves only paths under /anthropic/ (count_tokens, models, and the
// 404s for the rest) through the gateway's real public handler and pipeline, from a routing table
// compiled in-process from manifests with the real compiler, so the official SDK can be pointed
// at them. Other paths get a 418, so a test can tell they were not taken.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileStandaloneFiles } from '@switchyard/compiler';
import { GatewayMetrics } from '../../../src/observe/metrics.js';
import { createLogger } from '@switchyard/compiler';
import { admitWithoutLimits } from '../../../src/governance/admission-control.js';
import { createProviderRegistry } from '../../../src/providers/registry.js';
import { createFrontDoorRoutes } from '../../../src/server/front-door-routes.js';
import { createFrontDoorRouter } from '../../../src/server/front-door-router.js';
import { createPublicHandler } from '../../../src/server/public-handler.js';
import { TableHolder } from '../../../src/table/table-holder.js';
import { createEgressGuard } from '../../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../../src/transport/upstream-transport.js';

export interface AnthropicExtrasServer {
  url: string;
  tables: TableHolder;
  close(): Promise<void>;
}

export async function startAnthropicExtrasServer(
  manifests: string,
  options: { maxBodyBytes?: number } = {},
): Promise<AnthropicExtrasServer> {
  const compiled = compileStandaloneFiles([{ path: 'extras.yaml', text: manifests }], { version: 1 });
  const tables = new TableHolder(createProviderRegistry());
  tables.load(compiled.table);
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  const deps = {
    tables,
    transport,
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    logger: createLogger({ write: () => undefined }),
    admission: admitWithoutLimits,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    random: Math.random,
  };
  const handlePublic = createPublicHandler(deps, createFrontDoorRouter(createFrontDoorRoutes()), { draining: false });
  let counter = 0;
  const server: Server = createServer((req, res) => {
    if (!(req.url ?? '/').startsWith('/anthropic/')) {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('not an Anthropic extras path');
      return;
    }
    req.headers['x-request-id'] ??= `req-extras-${++counter}`;
    handlePublic(req, res);
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
      }).then(() => transport.close()),
  };
}
