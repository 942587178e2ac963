// One upstream client per MCPServer, kept across requests (and across table reloads while the
// server's compiled definition is unchanged) so a 2025-11-25 upstream's session and an OAuth
// token are reused rather than renegotiated per call. A changed definition (new URL, rotated
// Secret) replaces its client. A server removed from the table leaves its (small, idle) client
// here until the process ends.
import type { CompiledMCPServer } from '@switchyard/compiler';
import { canonicalJson } from '@switchyard/compiler';
import { StreamableHttpUpstream, type McpUpstream, type UpstreamClientOptions } from './upstream-client.js';
import { SseUpstream } from './sse-upstream.js';
import { McpUpstreamError } from './upstream-errors.js';

export interface McpUpstreams {
  /** The client for `server`; throws McpUpstreamError for a transport this gateway does not speak yet. */
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
    let upstream: McpUpstream;
    if (server.transport === 'streamable-http') upstream = new StreamableHttpUpstream(server, this.options);
    else if (server.transport === 'sse') upstream = new SseUpstream(server, this.options);
    else throw new McpUpstreamError(`transport "${server.transport}" is not supported by this gateway yet`, 'protocol');
    this.clients.set(server.id, { fingerprint, compiled: server, upstream });
    return upstream;
  }
}
