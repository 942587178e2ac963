// One upstream client per MCPServer, kept across requests (and across table reloads while the
// server's compiled definition is unchanged) so a 2025-11-25 upstream's session, an OAuth token
// and a stdio server's child process are reused rather than renegotiated per call. A changed
// definition (new URL or command, rotated Secret) replaces its client; `retain` drops the clients
// of servers no longer in the table. Either way a replaced client is closed, which for a stdio
// server stops its child; HTTP clients hold nothing a close must release.
import type { CompiledMCPServer } from '@switchyard/compiler';
import { canonicalJson } from '@switchyard/compiler';
import { StreamableHttpUpstream, type McpUpstream, type UpstreamClientOptions } from './upstream-client.js';
import { SseUpstream } from './sse-upstream.js';
import { StdioUpstream } from './stdio-upstream.js';
import { OpenApiUpstream } from './openapi-upstream.js';

export interface McpUpstreams {
  /** The client for `server`. */
  get(server: CompiledMCPServer): McpUpstream;
}

export class McpUpstreamPool implements McpUpstreams {
  private readonly clients = new Map<string, { fingerprint: string; compiled: CompiledMCPServer; upstream: McpUpstream }>();

  constructor(private readonly options: UpstreamClientOptions) {}

  get(server: CompiledMCPServer): McpUpstream {
    const known = this.clients.get(server.id);
    if (known !== undefined && known.compiled === server) return known.upstream;
    const fingerprint = canonicalJson(server);
    if (known !== undefined && known.fingerprint === fingerprint) {
      known.compiled = server;
      return known.upstream;
    }
    known?.upstream.close?.();
    const upstream = this.create(server);
    this.clients.set(server.id, { fingerprint, compiled: server, upstream });
    return upstream;
  }

  /** Closes and forgets the clients of servers whose ids are not in `live` (called when the table changes). */
  retain(live: ReadonlySet<string>): void {
    for (const [id, client] of this.clients) {
      if (live.has(id)) continue;
      client.upstream.close?.();
      this.clients.delete(id);
    }
  }

  private create(server: CompiledMCPServer): McpUpstream {
    switch (server.transport) {
      case 'streamable-http':
        return new StreamableHttpUpstream(server, this.options);
      case 'sse':
        return new SseUpstream(server, this.options);
      case 'stdio':
        return new StdioUpstream(server, this.options);
      case 'openapi':
        return new OpenApiUpstream(server, this.options);
    }
  }
}
