// Who hears about list changes: every open notification stream of this gateway process (a
// 2025-11-25 caller's GET /mcp stream, a 2026-07-28 `subscriptions/listen`), and what makes the
// lists change.
//
// Two things change what a caller may list. (a) An upstream says its tools, prompts or resources
// changed: while a stream here can see a server, this process watches that server itself (the
// upstream client's GET stream, `subscriptions/listen`, the legacy SSE stream or the stdio
// child's stdout, upstream-*.ts), so no message has to travel between replicas: every replica
// holding a caller's stream hears the upstream on its own session. (b) The routing table
// changes what the key sees (an MCPServer added, removed or changed, the key's allowedTools):
// every replica loads the same table, and each compares what its streams' keys see before and
// after. A stream whose key is gone or no longer active is ended.
import { hash } from 'node:crypto';
import type { CompiledKeyMCP, CompiledMCPServer } from '@switchyard/compiler';
import { canonicalJson } from '@switchyard/compiler';
import type { McpUpstream } from './upstream-client.js';
import type { ListKind } from './upstream-messages.js';
import type { McpUpstreams } from './upstream-pool.js';

/** Open notification streams per virtual key in one gateway process. */
const MCP_MAX_STREAMS_PER_KEY = 16;
/** Open notification streams in one gateway process. */
const MCP_MAX_STREAMS = 1000;
/** How often the serving table is checked for a change while streams are open. */
const TABLE_CHECK_MS = 1000;

/** What a key may see under the serving table. */
export interface McpKeyView {
  readonly mcp: CompiledKeyMCP | undefined;
  readonly servers: readonly CompiledMCPServer[];
}

export interface McpSubscriber {
  readonly keyId: string;
  /** The lists this stream carries changes of. */
  readonly kinds: ReadonlySet<ListKind>;
  /** The key's view under the serving table now; undefined: the key is gone or inactive (the stream ends). */
  view(): McpKeyView | undefined;
  /** Sends `notifications/<kind>/list_changed` in the stream's framing; false: the stream is closed. */
  notify(kind: ListKind): boolean;
  /** Ends the stream (the gateway's side). */
  close(): void;
  readonly closed: AbortSignal;
}

export interface McpNotificationHubOptions {
  readonly upstreams: McpUpstreams;
  /** Whether `view` may list `kind` of `server` (tools and prompts: any allowedTools; resources: the whole server). */
  sees(view: McpKeyView, server: CompiledMCPServer, kind: ListKind): boolean;
  /** The serving table (compared by identity): a new one makes every stream's view be compared again. */
  table(): unknown;
  readonly maxStreams?: number;
  readonly maxStreamsPerKey?: number;
}

interface Entry {
  readonly subscriber: McpSubscriber;
  fingerprint: string;
}

export class McpNotificationHub {
  private readonly entries = new Set<Entry>();
  private readonly perKey = new Map<string, number>();
  private readonly watches = new Map<string, { upstream: McpUpstream; stop: () => void }>();
  private readonly digests = new WeakMap<CompiledMCPServer, string>();
  private timer: NodeJS.Timeout | undefined;
  private seenTable: unknown;

  constructor(private readonly options: McpNotificationHubOptions) {}

  /** Adds a stream; a string (the refusal, naming the limit) when a bound refuses it. */
  add(subscriber: McpSubscriber): string | undefined {
    const maxStreams = this.options.maxStreams ?? MCP_MAX_STREAMS;
    const maxPerKey = this.options.maxStreamsPerKey ?? MCP_MAX_STREAMS_PER_KEY;
    if (this.entries.size >= maxStreams) return `this gateway holds its limit of ${maxStreams} MCP notification streams; try again later`;
    const count = this.perKey.get(subscriber.keyId) ?? 0;
    if (count >= maxPerKey)
      return `this key already holds ${maxPerKey} MCP notification streams on this gateway (the limit per key); close one first`;
    const view = subscriber.view();
    if (view === undefined) return 'this key may no longer use /mcp';
    const entry: Entry = { subscriber, fingerprint: this.fingerprint(view) };
    this.entries.add(entry);
    this.perKey.set(subscriber.keyId, count + 1);
    subscriber.closed.addEventListener('abort', () => this.remove(entry), { once: true });
    if (this.timer === undefined) {
      this.seenTable = this.options.table();
      this.timer = setInterval(() => this.checkTable(), TABLE_CHECK_MS);
      this.timer.unref();
    }
    this.refreshWatches();
    return undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(entry: Entry): void {
    if (!this.entries.delete(entry)) return;
    const left = (this.perKey.get(entry.subscriber.keyId) ?? 1) - 1;
    if (left > 0) this.perKey.set(entry.subscriber.keyId, left);
    else this.perKey.delete(entry.subscriber.keyId);
    if (this.entries.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.refreshWatches();
  }

  /** An upstream announced a change: every stream that can see that list of that server hears it. */
  private upstreamChanged(serverId: string, kind: ListKind): void {
    for (const { subscriber } of this.entries) {
      if (!subscriber.kinds.has(kind)) continue;
      const view = subscriber.view();
      const server = view?.servers.find((candidate) => candidate.id === serverId);
      if (view !== undefined && server !== undefined && this.options.sees(view, server, kind)) subscriber.notify(kind);
    }
  }

  /** A new table: streams whose key's view changed hear that every list they carry may have changed. */
  private checkTable(): void {
    const table = this.options.table();
    if (table === this.seenTable) return;
    this.seenTable = table;
    for (const entry of [...this.entries]) {
      const view = entry.subscriber.view();
      if (view === undefined) {
        entry.subscriber.close();
        this.remove(entry);
        continue;
      }
      const fingerprint = this.fingerprint(view);
      if (fingerprint === entry.fingerprint) continue;
      entry.fingerprint = fingerprint;
      for (const kind of entry.subscriber.kinds) entry.subscriber.notify(kind);
    }
    this.refreshWatches();
  }

  /** Watches exactly the upstreams some stream can see, each on its current client. */
  private refreshWatches(): void {
    const wanted = new Map<string, CompiledMCPServer>();
    for (const { subscriber } of this.entries) {
      const view = subscriber.view();
      if (view?.mcp === undefined) continue;
      // A per-user server answers only with a user's token, which a shared watch does not have:
      // its lists change per user, and a caller hears of them on its next call.
      for (const server of view.servers) if (server.auth.type !== 'oauth2PerUser') wanted.set(server.id, server);
    }
    for (const [id, watch] of this.watches) {
      const server = wanted.get(id);
      if (server !== undefined && this.options.upstreams.get(server) === watch.upstream) continue;
      watch.stop();
      this.watches.delete(id);
    }
    for (const [id, server] of wanted) {
      if (this.watches.has(id)) continue;
      const upstream = this.options.upstreams.get(server);
      if (upstream.watch === undefined) continue;
      this.watches.set(id, { upstream, stop: upstream.watch((kind) => this.upstreamChanged(id, kind)) });
    }
  }

  /** What decides a key's lists: its allowedTools and each visible server's compiled form. */
  private fingerprint(view: McpKeyView): string {
    const servers = view.servers.map((server) => {
      let digest = this.digests.get(server);
      if (digest === undefined) {
        digest = hash('sha256', canonicalJson(server), 'hex');
        this.digests.set(server, digest);
      }
      return digest;
    });
    return JSON.stringify([view.mcp?.allowedTools ?? null, servers.sort()]);
  }
}
