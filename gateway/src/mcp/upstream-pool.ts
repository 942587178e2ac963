// One upstream client per MCPServer, kept across requests (and across table reloads while the
// server's compiled definition is unchanged) so a 2025-11-25 upstream's session, an OAuth token
// and a stdio server's child process are reused rather than renegotiated per call. A changed
// definition (new URL or command, rotated Secret) replaces its client; `retain` drops the clients
// of servers no longer in the table. Either way a replaced client is closed, which for a stdio
// server stops its child; HTTP clients hold nothing a close must release. An `oauth2PerUser` server
// has one client per calling identity (each with that identity's token and its own upstream
// session), at most PER_USER_CLIENTS of them, the least recently used dropped first.
import type { CompiledMCPServer } from '@switchyard/compiler';
import { canonicalJson } from '@switchyard/compiler';
import { StreamableHttpUpstream, type McpUpstream, type UpstreamClientOptions } from './upstream-client.js';
import { SseUpstream } from './sse-upstream.js';
import type { UserTokenSource } from './client-credentials.js';
import { StdioUpstream } from './stdio-upstream.js';
import { OpenApiUpstream } from './openapi-upstream.js';
import type { McpPrincipal, PerUserOAuth } from './per-user-oauth.js';

/** Clients of per-user servers kept per process (one per server and identity); more drop the least recently used. */
const PER_USER_CLIENTS = 10_000;

export interface McpUpstreams {
  /** The client for `server`; for an `oauth2PerUser` server, the one acting as `principal`. */
  get(server: CompiledMCPServer, principal?: McpPrincipal): McpUpstream;
}

export interface McpUpstreamPoolOptions extends UpstreamClientOptions {
  /** Per-user OAuth (--mcp-oauth-callback-url); absent: `oauth2PerUser` servers answer that it is not configured. */
  perUser?: PerUserOAuth | undefined;
}

export class McpUpstreamPool implements McpUpstreams {
  private readonly clients = new Map<string, { fingerprint: string; compiled: CompiledMCPServer; upstream: McpUpstream }>();

  private readonly perUser = new Map<string, { fingerprint: string; serverId: string; upstream: McpUpstream }>();

  constructor(private readonly options: McpUpstreamPoolOptions) {}

  get(server: CompiledMCPServer, principal?: McpPrincipal): McpUpstream {
    // Without a principal a per-user server gets the shared client, which has no token to send.
    if (server.auth.type === 'oauth2PerUser' && principal !== undefined) return this.userClient(server, principal);
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
    for (const [name, client] of this.perUser) {
      if (live.has(client.serverId)) continue;
      client.upstream.close?.();
      this.perUser.delete(name);
    }
  }

  /** The client acting as `principal`: its own token source, and its own upstream session. */
  private userClient(server: CompiledMCPServer, principal: McpPrincipal): McpUpstream {
    const name = JSON.stringify([
      server.id,
      principal.keyId,
      principal.identity?.kind,
      principal.identity?.issuer,
      principal.identity?.subject,
    ]);
    const fingerprint = canonicalJson(server);
    const known = this.perUser.get(name);
    this.perUser.delete(name);
    if (known !== undefined && known.fingerprint === fingerprint) {
      this.perUser.set(name, known);
      return known.upstream;
    }
    known?.upstream.close?.();
    const upstream = this.create(server, this.options.perUser?.source(server, principal));
    this.perUser.set(name, { fingerprint, serverId: server.id, upstream });
    if (this.perUser.size > PER_USER_CLIENTS) {
      const [oldest, client] = this.perUser.entries().next().value ?? [];
      if (oldest !== undefined) this.perUser.delete(oldest);
      client?.upstream.close?.();
    }
    return upstream;
  }

  private create(server: CompiledMCPServer, user?: UserTokenSource): McpUpstream {
    switch (server.transport) {
      case 'streamable-http':
        return new StreamableHttpUpstream(server, this.options, user);
      case 'sse':
        return new SseUpstream(server, this.options, user);
      case 'stdio':
        return new StdioUpstream(server, this.options);
      case 'openapi':
        return new OpenApiUpstream(server, this.options, user);
    }
  }
}
