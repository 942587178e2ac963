// The gateway's MCP server behind `/mcp`: one JSON-RPC message in, one HTTP answer out. It
// negotiates the protocol per client (2026-07-28 when the request's `_meta` names it, else the
// 2025-11-25 handshake with a signed session id, session-token.ts), and aggregates the tools of
// every MCPServer the caller's namespace may reach: names prefixed `<prefix>__<tool>`, each
// server's toolFilter and then the key's allowedTools applied (a key without `mcp` sees none),
// sorted by name and paginated with an opaque cursor. A call goes to the owning server with the
// prefix stripped and its result passes through intact; an upstream that cannot answer gives a
// tool error naming it while the other servers keep working.
//
// The pipeline (pipeline/mcp-operation.ts) authenticates the key, reads the body and passes in
// the servers the table lets the key's namespace reach; rate limits and the audit line are
// handed in as functions, so this folder stays below governance and the pipeline.
import { hash, randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.js';
import type { CompiledKeyMCP, CompiledMCPServer } from '@switchyard/compiler';
import { globToRegExpSource, isRecord } from '@switchyard/compiler';
import {
  decodeToolsListResult,
  encodeJsonRpcError,
  encodeJsonRpcNotification,
  encodeJsonRpcResult,
  JSON_RPC_ERRORS,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
  MCP_STATEFUL_VERSION,
  MCP_STATELESS_VERSION,
  MCP_SUPPORTED_VERSIONS,
  META_CLIENT_CAPABILITIES,
  metaProtocolVersion,
  toolErrorResult,
  type JsonRpcId,
  type McpClientMessage,
  type McpToolDefinition,
} from '../wire/mcp/index.js';
import type { McpEventStream } from './event-stream.js';
import { McpNotificationHub, type McpKeyView } from './notification-hub.js';
import { declaresUrlElicitation, type McpSessionSigner } from './session-token.js';
import type { ListKind, UpstreamNotification } from './upstream-messages.js';
import { McpLoginRequiredError, MCP_OAUTH_FLOW_TTL_MS, type McpCallerIdentity, type PerUserOAuth } from './per-user-oauth.js';
import type { McpUpstreams } from './upstream-pool.js';
import type { OriginPolicy } from './origin-policy.js';
import { McpUpstreamError } from './upstream-errors.js';

/** Tools per `tools/list` page the gateway answers. */
const MCP_TOOLS_PAGE_SIZE = 100;
/** Pages read from one upstream's `tools/list` before the rest is ignored (a loop guard). */
const MAX_UPSTREAM_LIST_PAGES = 20;
/** Separates a server's prefix from its tool's own name. */
const PREFIX_SEPARATOR = '__';
/** MCP's URLElicitationRequiredError (specification 2025-11-25, client/elicitation): the client must open a URL first. */
const URL_ELICITATION_REQUIRED = -32042;
/** The tool an `oauth2PerUser` server lists, until the caller signs in, for clients without URL elicitation. */
const SIGN_IN_TOOL = 'sign_in';
/** MCP's error code for a resource that does not exist (specification, server/resources). */
const RESOURCE_NOT_FOUND = -32002;

/**
 * What `/mcp` offers: the aggregated lists with change notifications (the GET stream for
 * 2025-11-25 sessions, `subscriptions/listen` for 2026-07-28 callers), and completions of the
 * upstreams' prompt and resource-template arguments. Resource subscriptions are not served.
 */
const CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { listChanged: true, subscribe: false },
  completions: {},
} as const;

/** The 2026-07-28 `_meta` key naming the `subscriptions/listen` request a notification belongs to. */
const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
/** How often an open GET stream's session is checked again: an expired session ends its stream. */
const SESSION_RECHECK_MS = 60_000;
/** How often a notification stream checks that the gateway still serves (a draining gateway ends its streams). */
const SERVING_CHECK_MS = 1000;
const LIST_KINDS: readonly ListKind[] = ['tools', 'prompts', 'resources'];
const LISTEN_FILTER_FIELDS: Record<ListKind, string> = {
  tools: 'toolsListChanged',
  prompts: 'promptsListChanged',
  resources: 'resourcesListChanged',
};

/** The 2025-11-25 family the handshake accepts; an older client gets its own version echoed. */
const STATEFUL_VERSIONS: readonly string[] = [MCP_STATEFUL_VERSION, '2025-06-18', '2025-03-26'];

type ToolCallStatus =
  | 'ok'
  | 'tool_error'
  | 'upstream_error'
  | 'unavailable'
  | 'timeout'
  | 'too_large'
  | 'denied'
  | 'rate_limited'
  | 'guardrail_blocked'
  | 'login_required';

/**
 * The JSON-RPC error code of a tool call a guardrail refused (its arguments or its result), in
 * the range JSON-RPC leaves to servers; `data.code` is `guardrail_blocked` (docs/guardrails.md).
 */
const GUARDRAIL_BLOCKED_CODE = -32040;

/**
 * Guardrails on one tool call, handed in by the pipeline (pipeline/guardrails/mcp-tool-guard.ts):
 * each returns what may go on (arguments upstream, the result to the caller), perhaps rewritten,
 * or throws a GatewayError with code `guardrail_blocked` to refuse the call.
 */
export interface McpToolGuard {
  checkArguments(
    args: Record<string, unknown> | undefined,
  ): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  checkResult(result: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** One tool call as the audit line and the metrics see it: never the arguments themselves. */
export interface ToolCallRecord {
  readonly keyId: string;
  /** MCPServer id; empty when the name resolved to none the key may use. */
  readonly server: string;
  /** The prefixed name the caller used. */
  readonly tool: string;
  readonly argumentsBytes: number;
  readonly argumentsSha256: string;
  readonly status: ToolCallStatus;
  readonly latencyMs: number;
}

export interface McpCaller {
  readonly keyId: string;
  /** The key's MCP permissions; undefined: no tools at all. */
  readonly mcp: CompiledKeyMCP | undefined;
  /** The MCPServers the key's namespace may reach, in a stable order. */
  readonly servers: readonly CompiledMCPServer[];
  /** Told when a server cannot list (it is left out of the list); hosted tools report it on their listing. */
  readonly listFailed?: (server: CompiledMCPServer, error: unknown) => void;
  /** Who within the key called (a ServiceAccount or OIDC token's subject): `oauth2PerUser` tokens are kept per identity. */
  readonly identity?: McpCallerIdentity | undefined;
}

export interface McpHttpRequest {
  readonly message: McpClientMessage;
  readonly sessionId: string | undefined;
  readonly protocolHeader: string | undefined;
  readonly signal: AbortSignal;
  /** The audit line, metrics and span of one tool call of this request. */
  recordToolCall(record: ToolCallRecord): void;
  /** Guardrails on tool calls; undefined when no GuardrailPolicy applies to the key. */
  readonly toolGuard?: McpToolGuard | undefined;
  /**
   * Answers as an event stream instead of one JSON body; absent when the caller's Accept does not
   * name `text/event-stream` (or the pipeline cannot stream), and then nothing is relayed.
   */
  openEventStream?(headers: Record<string, string>): McpEventStream;
  /** The key's view under the table serving now (a long stream re-reads it when the table changes). */
  view?(): McpKeyView | undefined;
  /** False once the gateway stops serving (SIGTERM): long streams end then, so the drain need not wait for them. */
  serving?(): boolean;
}

export interface McpHttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Undefined: no body (202 to a notification). */
  readonly body: string | undefined;
  /** The answer went out on an event stream opened with `openEventStream`: nothing more to send. */
  readonly streamed?: true;
}

/** A GET /mcp: a 2025-11-25 session's stream of server-to-client messages. */
export interface McpStreamRequest {
  readonly sessionId: string | undefined;
  readonly accept: string | undefined;
  openEventStream(headers: Record<string, string>): McpEventStream;
  view(): McpKeyView | undefined;
  serving?(): boolean;
}

export interface McpServerOptions {
  readonly upstreams: McpUpstreams;
  readonly sessions: McpSessionSigner;
  /** Admits one tool call under the key's calls-per-minute limit; resolves with the wait in ms when refused. */
  admitToolCall(keyId: string, callsPerMinute: number): Promise<number | undefined>;
  /** An upstream that failed while listing tools (its tools are left out of the answer). */
  upstreamFailed(server: CompiledMCPServer, error: unknown): void;
  /** The serving table, compared by identity: open notification streams re-read their key's view when it changes. */
  table?(): unknown;
  readonly serverInfo: { readonly name: string; readonly version: string };
  nowMs(): number;
}

/** What the `/mcp` endpoint is configured with (--mcp-session-secret-file, --mcp-max-result-bytes). */
export interface McpEndpointOptions {
  /** Signs session ids; every replica behind one Service needs the same secret. */
  readonly sessions: McpSessionSigner;
  /** Largest upstream MCP answer read; a larger tool result is refused with a tool error. */
  readonly maxResultBytes: number;
  /** Browser origins that may call /mcp; absent: loopback origins only (DEFAULT_MCP_ALLOWED_ORIGINS). */
  readonly allowedOrigins?: OriginPolicy;
  /** Per-user OAuth for `oauth2PerUser` servers (--mcp-oauth-callback-url); absent: such servers cannot be called. */
  readonly perUserOAuth?: PerUserOAuth;
}

/** How a request is answered: its protocol, and whether its client declared URL-mode elicitation (sign-in links as -32042). */
type Mode = ({ readonly stateless: true } | { readonly stateless: false; readonly version: string }) & { readonly urlElicitation: boolean };

export class McpGatewayServer {
  private readonly allowLists = new WeakMap<CompiledKeyMCP, RegExp>();
  private readonly filters = new WeakMap<CompiledMCPServer, (name: string) => boolean>();
  private readonly hub: McpNotificationHub;

  constructor(private readonly options: McpServerOptions) {
    this.hub = new McpNotificationHub({
      upstreams: options.upstreams,
      table: options.table ?? (() => undefined),
      sees: (view, server, kind) =>
        kind === 'resources' ? this.resourcesAllowed({ keyId: '', mcp: view.mcp, servers: view.servers }, server) : view.mcp !== undefined,
    });
  }

  /**
   * GET /mcp: the session's stream of list-change notifications. The session id must verify like
   * a POST's; the stream lasts until the caller leaves, its session expires or its key goes.
   */
  async openStream(keyId: string, request: McpStreamRequest): Promise<McpHttpAnswer> {
    if (!(request.accept ?? '').toLowerCase().includes('text/event-stream'))
      return jsonRpcError(406, null, JSON_RPC_ERRORS.invalidRequest, 'GET /mcp opens an event stream: send Accept: text/event-stream');
    const token = request.sessionId;
    if (token === undefined)
      return jsonRpcError(
        400,
        null,
        JSON_RPC_ERRORS.invalidRequest,
        `missing ${MCP_SESSION_HEADER}: GET /mcp is the stream of an initialized session (protocol ${MCP_STATEFUL_VERSION}); ${MCP_STATELESS_VERSION} callers send subscriptions/listen`,
      );
    const check = this.options.sessions.verify(token, keyId, this.options.nowMs());
    if (!check.ok) return jsonRpcError(404, null, JSON_RPC_ERRORS.invalidRequest, `unknown MCP session: ${check.reason}; initialize again`);
    return this.stream(keyId, request, new Set(LIST_KINDS), undefined, () => {
      const again = this.options.sessions.verify(token, keyId, this.options.nowMs());
      return again.ok;
    });
  }

  /**
   * Registers a notification stream with the hub and holds it until it ends. `subscriptionId`
   * tags every message of a 2026-07-28 subscription (and its acknowledgement is sent first);
   * `stillValid` is asked every SESSION_RECHECK_MS.
   */
  private async stream(
    keyId: string,
    request: Pick<McpStreamRequest, 'openEventStream' | 'view' | 'serving'>,
    kinds: ReadonlySet<ListKind>,
    subscription: { readonly id: JsonRpcId; readonly acknowledged: Record<string, unknown> } | undefined,
    stillValid: () => boolean,
  ): Promise<McpHttpAnswer> {
    const tag = (params: Record<string, unknown>): Record<string, unknown> =>
      subscription === undefined ? params : { ...params, _meta: { [META_SUBSCRIPTION_ID]: subscription.id } };
    let events: McpEventStream | undefined;
    const closing = new AbortController();
    const refused = this.hub.add({
      keyId,
      kinds,
      view: () => request.view(),
      notify: (kind) => events?.send(encodeJsonRpcNotification(`notifications/${kind}/list_changed`, tag({}))) ?? false,
      close: () => closing.abort(),
      closed: closing.signal,
    });
    if (refused !== undefined) {
      closing.abort();
      return jsonRpcError(429, subscription?.id ?? null, JSON_RPC_ERRORS.invalidRequest, refused);
    }
    events = request.openEventStream({});
    if (subscription !== undefined)
      events.send(encodeJsonRpcNotification('notifications/subscriptions/acknowledged', tag({ notifications: subscription.acknowledged })));
    let sinceSessionCheckMs = 0;
    const recheck = setInterval(() => {
      sinceSessionCheckMs += SERVING_CHECK_MS;
      if (request.serving?.() === false) closing.abort();
      else if (sinceSessionCheckMs >= SESSION_RECHECK_MS) {
        sinceSessionCheckMs = 0;
        if (!stillValid()) closing.abort();
      }
    }, SERVING_CHECK_MS);
    recheck.unref();
    const opened = events;
    try {
      await new Promise<void>((resolve) => {
        if (opened.closed.aborted || closing.signal.aborted) return resolve();
        opened.closed.addEventListener('abort', () => resolve(), { once: true });
        closing.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      clearInterval(recheck);
      // The gateway ended a subscription: its answer says it is complete (the caller may listen again).
      if (subscription !== undefined && !opened.closed.aborted)
        opened.send(encodeJsonRpcResult(subscription.id, { resultType: 'complete' }));
      opened.end();
      closing.abort();
    }
    return { status: 200, headers: {}, body: undefined, streamed: true };
  }

  /** 2026-07-28 `subscriptions/listen`: the lists asked for (and offered), acknowledged first, then their changes. */
  private listen(
    caller: McpCaller,
    id: JsonRpcId,
    params: Record<string, unknown>,
    request: McpHttpRequest,
  ): Promise<McpHttpAnswer> | McpHttpAnswer {
    const filter = params.notifications;
    if (!isRecord(filter))
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.notifications must be an object (the subscription filter)');
    const kinds = new Set(LIST_KINDS.filter((kind) => filter[LISTEN_FILTER_FIELDS[kind]] === true));
    // Resource subscriptions are not offered, so they are left out of what is acknowledged.
    const acknowledged = Object.fromEntries([...kinds].map((kind) => [LISTEN_FILTER_FIELDS[kind], true]));
    if (request.openEventStream === undefined || request.view === undefined)
      return jsonRpcError(
        406,
        id,
        JSON_RPC_ERRORS.invalidRequest,
        'subscriptions/listen answers with an event stream: send Accept: application/json, text/event-stream',
      );
    const open = request.openEventStream.bind(request);
    const view = request.view.bind(request);
    const serving = request.serving?.bind(request);
    return this.stream(caller.keyId, { openEventStream: open, view, serving }, kinds, { id, acknowledged }, () => true);
  }

  async handle(caller: McpCaller, request: McpHttpRequest): Promise<McpHttpAnswer> {
    const { message } = request;
    if (message.kind !== 'request') return { status: 202, headers: {}, body: undefined };
    const { id, method, params } = message;
    if (method === 'server/discover') return ok(id, this.discoverResult());
    const requested = metaProtocolVersion(params);
    let mode: Mode;
    if (requested !== undefined) {
      if (requested !== MCP_STATELESS_VERSION || (request.protocolHeader !== undefined && request.protocolHeader !== requested))
        return unsupportedVersion(id, requested);
      const meta = params._meta;
      mode = { stateless: true, urlElicitation: isRecord(meta) && declaresUrlElicitation(meta[META_CLIENT_CAPABILITIES]) };
    } else if (method === 'initialize') {
      return this.initialize(caller, id, params);
    } else {
      const token = request.sessionId;
      if (token === undefined)
        return jsonRpcError(
          400,
          id,
          JSON_RPC_ERRORS.invalidRequest,
          `missing ${MCP_SESSION_HEADER}: send initialize first (protocol ${MCP_STATEFUL_VERSION}), or name protocol ${MCP_STATELESS_VERSION} in each request's _meta`,
        );
      const check = this.options.sessions.verify(token, caller.keyId, this.options.nowMs());
      // 404 tells a 2025-11-25 client to start a new session.
      if (!check.ok) return jsonRpcError(404, id, JSON_RPC_ERRORS.invalidRequest, `unknown MCP session: ${check.reason}; initialize again`);
      mode = { stateless: false, version: check.session.protocolVersion, urlElicitation: check.session.urlElicitation };
    }
    switch (method) {
      case 'ping':
        return ok(id, complete(mode, {}));
      case 'tools/list':
        return this.listTools(caller, id, params, mode, request.signal);
      case 'tools/call':
        return this.callTool(caller, id, params, mode, request);
      case 'prompts/list':
        return this.listPage(id, params, mode, 'prompts', () => this.visiblePrompts(caller, request.signal));
      case 'resources/list':
        return this.listPage(id, params, mode, 'resources', () => this.visibleResources(caller, 'resources', request.signal));
      case 'resources/templates/list':
        return this.listPage(id, params, mode, 'resourceTemplates', () =>
          this.visibleResources(caller, 'resourceTemplates', request.signal),
        );
      case 'prompts/get':
        return this.getPrompt(caller, id, params, mode, request.signal);
      case 'resources/read':
        return this.readResource(caller, id, params, mode, request.signal);
      case 'completion/complete':
        return this.complete(caller, id, params, mode, request.signal);
      case 'subscriptions/listen':
        // A 2026-07-28 request; a session's notifications come on its GET stream instead.
        if (!mode.stateless)
          return jsonRpcError(
            200,
            id,
            JSON_RPC_ERRORS.methodNotFound,
            `subscriptions/listen is protocol ${MCP_STATELESS_VERSION}'s; a ${mode.version} session receives notifications on GET /mcp`,
          );
        return this.listen(caller, id, params, request);
      default:
        return jsonRpcError(200, id, JSON_RPC_ERRORS.methodNotFound, `method not found: ${method.slice(0, 128)}`);
    }
  }

  private discoverResult(): Record<string, unknown> {
    return {
      resultType: 'complete',
      supportedVersions: [...MCP_SUPPORTED_VERSIONS],
      capabilities: CAPABILITIES,
      serverInfo: this.options.serverInfo,
    };
  }

  private initialize(caller: McpCaller, id: JsonRpcId, params: Record<string, unknown>): McpHttpAnswer {
    const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : undefined;
    const version = asked !== undefined && STATEFUL_VERSIONS.includes(asked) ? asked : MCP_STATEFUL_VERSION;
    const sessionId = this.options.sessions.issue(caller.keyId, version, params.capabilities, this.options.nowMs());
    const body = encodeJsonRpcResult(id, {
      protocolVersion: version,
      capabilities: CAPABILITIES,
      serverInfo: this.options.serverInfo,
    });
    return { status: 200, headers: { [MCP_SESSION_HEADER]: sessionId, 'content-type': 'application/json' }, body };
  }

  private async listTools(
    caller: McpCaller,
    id: JsonRpcId,
    params: Record<string, unknown>,
    mode: Mode,
    signal: AbortSignal,
  ): Promise<McpHttpAnswer> {
    const logins: McpLoginRequiredError[] = [];
    const answer = await this.listPage(id, params, mode, 'tools', () => this.visibleTools(caller, signal, logins));
    // A client that opens URLs is asked to sign in to the servers it could use; the others see a sign_in tool per server.
    const wanted = logins.filter((login) => this.mayUseServer(caller, login.serverId));
    return mode.urlElicitation && wanted.length > 0 ? loginAnswer(id, mode, wanted, undefined) : answer;
  }

  /** One page of an aggregated list; the cursor names the list it belongs to, so one list's cursor fails on another. */
  private async listPage(
    id: JsonRpcId,
    params: Record<string, unknown>,
    mode: Mode,
    field: ListField,
    gather: () => Promise<readonly Record<string, unknown>[]>,
  ): Promise<McpHttpAnswer> {
    let offset = 0;
    if (params.cursor !== undefined) {
      const decoded = typeof params.cursor === 'string' ? decodeCursor(params.cursor, field) : undefined;
      if (decoded === undefined)
        return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'invalid cursor: pass back a nextCursor this endpoint returned');
      offset = decoded;
    }
    const items = await gather();
    const result: Record<string, unknown> = { [field]: items.slice(offset, offset + MCP_TOOLS_PAGE_SIZE) };
    if (offset + MCP_TOOLS_PAGE_SIZE < items.length) result.nextCursor = encodeCursor(offset + MCP_TOOLS_PAGE_SIZE, field);
    return ok(id, complete(mode, result));
  }

  /** Every prompt the key may see: named `<prefix>__<prompt>` like tools, and filtered by the same allowedTools globs. */
  private async visiblePrompts(caller: McpCaller, signal: AbortSignal): Promise<Record<string, unknown>[]> {
    const allow = this.allowList(caller.mcp);
    if (allow === undefined) return [];
    const lists = await this.gatherEach(caller, caller.servers, async (server) =>
      (await this.listUpstream(server, 'prompts/list', 'prompts', signal, caller)).flatMap((prompt) =>
        typeof prompt.name === 'string' && prompt.name.length > 0
          ? [{ ...prompt, name: `${server.prefix}${PREFIX_SEPARATOR}${prompt.name}` }]
          : [],
      ),
    );
    return sortBy(
      lists.filter((prompt) => allow.test(prompt.name as string)),
      'name',
    );
  }

  /**
   * Resources or resource templates of the servers whose resources the key may read (see
   * `resourcesAllowed`), their `uri` (`uriTemplate`) prefixed `<prefix>__` so two servers' URIs
   * never collide and a read finds its owner.
   */
  private async visibleResources(
    caller: McpCaller,
    field: 'resources' | 'resourceTemplates',
    signal: AbortSignal,
  ): Promise<Record<string, unknown>[]> {
    const uriField = field === 'resources' ? 'uri' : 'uriTemplate';
    const servers = caller.servers.filter((server) => this.resourcesAllowed(caller, server));
    const method = field === 'resources' ? 'resources/list' : 'resources/templates/list';
    const lists = await this.gatherEach(caller, servers, async (server) =>
      (await this.listUpstream(server, method, field, signal, caller)).flatMap((item) => {
        const uri = item[uriField];
        return typeof uri === 'string' && uri.length > 0 ? [{ ...item, [uriField]: `${server.prefix}${PREFIX_SEPARATOR}${uri}` }] : [];
      }),
    );
    return sortBy(lists, uriField);
  }

  /** Runs `list` on every server at once; a server that fails is logged and left out. */
  private async gatherEach<T>(
    caller: McpCaller,
    servers: readonly CompiledMCPServer[],
    list: (server: CompiledMCPServer) => Promise<T[]>,
  ): Promise<T[]> {
    const lists = await Promise.all(
      servers.map(async (server) => {
        try {
          return await list(server);
        } catch (error) {
          // A caller who has not signed in to a per-user server is not a failing server.
          if (!(error instanceof McpLoginRequiredError)) {
            this.options.upstreamFailed(server, error);
            caller.listFailed?.(server, error);
          }
          return [];
        }
      }),
    );
    return lists.flat();
  }

  /** Every page (up to MAX_UPSTREAM_LIST_PAGES) of one upstream list; a server without the method lists nothing. */
  private async listUpstream(
    server: CompiledMCPServer,
    method: string,
    field: ListField,
    signal: AbortSignal,
    caller: McpCaller,
  ): Promise<Record<string, unknown>[]> {
    const upstream = this.options.upstreams.get(server, caller);
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_UPSTREAM_LIST_PAGES; page++) {
      const outcome = await upstream.request(method, cursor === undefined ? {} : { cursor }, signal);
      if ('error' in outcome) {
        // A server without prompts or resources says so with method-not-found: nothing to list.
        if (outcome.error.code === JSON_RPC_ERRORS.methodNotFound && method !== 'tools/list') return [];
        throw new McpUpstreamError(`${method} failed: ${outcome.error.message}`, 'protocol');
      }
      const listed = outcome.result[field];
      if (Array.isArray(listed)) for (const item of listed) if (isRecord(item)) items.push(item);
      const next = outcome.result.nextCursor;
      cursor = typeof next === 'string' && next.length > 0 ? next : undefined;
      if (cursor === undefined) break;
    }
    return items;
  }

  private async getPrompt(
    caller: McpCaller,
    id: JsonRpcId,
    params: Record<string, unknown>,
    mode: Mode,
    signal: AbortSignal,
  ): Promise<McpHttpAnswer> {
    const name = params.name;
    if (typeof name !== 'string' || name.length === 0)
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.name must be a prompt name');
    const owner = this.permittedPromptOwner(caller, name);
    // Unknown and not permitted get the same answer, so nothing is revealed.
    if (owner === undefined)
      return jsonRpcError(
        200,
        id,
        JSON_RPC_ERRORS.invalidParams,
        `unknown prompt: ${name.slice(0, 256)} (not among the prompts this key may use)`,
      );
    const forwarded: Record<string, unknown> = { name: owner.rest };
    if (params.arguments !== undefined) forwarded.arguments = params.arguments;
    return this.forward(caller, id, mode, owner.server, 'prompts/get', forwarded, signal, (result) => result);
  }

  /**
   * `completion/complete` for an argument of a prompt (`ref/prompt`, by its prefixed name) or of
   * a resource template (`ref/resource`, by its prefixed URI template), sent to the owning server
   * with the prefix stripped, under the same permissions as prompts/get and resources/read.
   */
  private async complete(
    caller: McpCaller,
    id: JsonRpcId,
    params: Record<string, unknown>,
    mode: Mode,
    signal: AbortSignal,
  ): Promise<McpHttpAnswer> {
    const ref = params.ref;
    if (!isRecord(ref) || (ref.type !== 'ref/prompt' && ref.type !== 'ref/resource'))
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.ref must be a ref/prompt or a ref/resource');
    if (!isRecord(params.argument))
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.argument must be an object with name and value');
    const field = ref.type === 'ref/prompt' ? 'name' : 'uri';
    const named = ref[field];
    if (typeof named !== 'string' || named.length === 0)
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, `params.ref.${field} must be a non-empty string`);
    const owner = ref.type === 'ref/prompt' ? this.permittedPromptOwner(caller, named) : this.permittedResourceOwner(caller, named);
    // Unknown and not permitted get the same answer, as for prompts/get and resources/read.
    if (owner === undefined)
      return jsonRpcError(
        200,
        id,
        JSON_RPC_ERRORS.invalidParams,
        `unknown ${ref.type === 'ref/prompt' ? 'prompt' : 'resource template'}: ${named.slice(0, 256)} (not among those this key may use)`,
      );
    const forwarded: Record<string, unknown> = { ref: { ...ref, [field]: owner.rest }, argument: params.argument };
    if (params.context !== undefined) forwarded.context = params.context;
    return this.forward(caller, id, mode, owner.server, 'completion/complete', forwarded, signal, (result) => result);
  }

  private async readResource(
    caller: McpCaller,
    id: JsonRpcId,
    params: Record<string, unknown>,
    mode: Mode,
    signal: AbortSignal,
  ): Promise<McpHttpAnswer> {
    const uri = params.uri;
    if (typeof uri !== 'string' || uri.length === 0)
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.uri must be a resource URI');
    const owner = this.permittedResourceOwner(caller, uri);
    if (owner === undefined)
      return jsonRpcError(
        200,
        id,
        RESOURCE_NOT_FOUND,
        `unknown resource: ${uri.slice(0, 256)} (not among the resources this key may read)`,
        {
          uri: uri.slice(0, 256),
        },
      );
    const { server } = owner;
    return this.forward(caller, id, mode, server, 'resources/read', { uri: owner.rest }, signal, (result) =>
      Array.isArray(result.contents)
        ? {
            ...result,
            // The contents name their URIs as the caller knows them.
            contents: result.contents.map((content: unknown) =>
              isRecord(content) && typeof content.uri === 'string'
                ? { ...content, uri: `${server.prefix}${PREFIX_SEPARATOR}${content.uri}` }
                : content,
            ),
          }
        : result,
    );
  }

  /** One request to `server`; its JSON-RPC error passes on with the server named, a failure to answer is -32603 saying why. */
  private async forward(
    caller: McpCaller,
    id: JsonRpcId,
    mode: Mode,
    server: CompiledMCPServer,
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    rewrite: (result: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<McpHttpAnswer> {
    try {
      const outcome = await this.options.upstreams.get(server, caller).request(method, params, signal);
      if ('error' in outcome)
        return jsonRpcError(200, id, outcome.error.code, `MCP server ${server.id}: ${outcome.error.message}`, outcome.error.data);
      return ok(id, complete(mode, rewrite(outcome.result)));
    } catch (error) {
      if (error instanceof McpLoginRequiredError) return loginAnswer(id, mode, [error], undefined);
      if (!(error instanceof McpUpstreamError)) throw error;
      const text =
        error.reason === 'too_large'
          ? `the answer of MCP server ${server.id} to ${method} was refused: ${error.message}`
          : `MCP server ${server.id} is unavailable, so ${method} cannot run: ${error.message}`;
      return jsonRpcError(200, id, JSON_RPC_ERRORS.internalError, text);
    }
  }

  /** The server whose `<prefix>__` starts `name` (the longest such prefix), and the rest of the name. */
  private owner(caller: McpCaller, name: string): { server: CompiledMCPServer; rest: string } | undefined {
    let best: CompiledMCPServer | undefined;
    for (const server of caller.servers) {
      const prefix = `${server.prefix}${PREFIX_SEPARATOR}`;
      if (name.length > prefix.length && name.startsWith(prefix) && (best === undefined || server.prefix.length > best.prefix.length))
        best = server;
    }
    return best === undefined ? undefined : { server: best, rest: name.slice(best.prefix.length + PREFIX_SEPARATOR.length) };
  }

  /** The owner of a prompt the key's allowedTools globs select; undefined when unknown or not permitted. */
  private permittedPromptOwner(caller: McpCaller, name: string): { server: CompiledMCPServer; rest: string } | undefined {
    return this.allowList(caller.mcp)?.test(name) === true ? this.owner(caller, name) : undefined;
  }

  /** The owner of a resource (or resource template) URI whose server's resources the key may read. */
  private permittedResourceOwner(caller: McpCaller, uri: string): { server: CompiledMCPServer; rest: string } | undefined {
    const owner = this.owner(caller, uri);
    return owner !== undefined && this.resourcesAllowed(caller, owner.server) ? owner : undefined;
  }

  /**
   * Resources have no names the allowedTools globs could select, so the least-privilege rule is:
   * a key reads a server's resources only when it may use every tool that server could offer,
   * that is when one of its globs is `*` or a literal start of `<prefix>__` followed by a single
   * final `*` (`github__*`, `git*`). `github__create_*` grants those tools and no resources.
   */
  private resourcesAllowed(caller: McpCaller, server: CompiledMCPServer): boolean {
    if (caller.mcp === undefined) return false;
    const whole = `${server.prefix}${PREFIX_SEPARATOR}`;
    return caller.mcp.allowedTools.some((glob) => {
      if (!glob.endsWith('*')) return false;
      const start = glob.slice(0, -1);
      return !start.includes('*') && whole.startsWith(start);
    });
  }

  /**
   * Every tool the key may see, prefixed and sorted; servers that fail to list are left out. A
   * per-user server the caller has not signed in to lists only its sign_in tool, and its login is
   * added to `logins`.
   */
  private async visibleTools(caller: McpCaller, signal: AbortSignal, logins: McpLoginRequiredError[] = []): Promise<McpToolDefinition[]> {
    const allow = this.allowList(caller.mcp);
    if (allow === undefined) return [];
    const listed = await this.gatherEach(caller, caller.servers, async (server) => {
      try {
        return await this.serverTools(server, signal, caller);
      } catch (error) {
        if (!(error instanceof McpLoginRequiredError)) throw error;
        logins.push(error);
        return this.toolFilter(server)(SIGN_IN_TOOL) ? [signInTool(server)] : [];
      }
    });
    const tools = listed.filter((tool) => allow.test(tool.name));
    return tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One server's tools after its toolFilter, named `<prefix>__<tool>`. */
  private async serverTools(server: CompiledMCPServer, signal: AbortSignal, caller: McpCaller): Promise<McpToolDefinition[]> {
    const filter = this.toolFilter(server);
    const { tools } = decodeToolsListResult({ tools: await this.listUpstream(server, 'tools/list', 'tools', signal, caller) });
    return tools.filter((tool) => filter(tool.name)).map((tool) => ({ ...tool, name: `${server.prefix}${PREFIX_SEPARATOR}${tool.name}` }));
  }

  private async callTool(
    caller: McpCaller,
    id: JsonRpcId,
    params: Record<string, unknown>,
    mode: Mode,
    request: McpHttpRequest,
  ): Promise<McpHttpAnswer> {
    const { signal } = request;
    const started = performance.now();
    const name = params.name;
    if (typeof name !== 'string' || name.length === 0)
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.name must be a tool name');
    const args = params.arguments;
    if (args !== undefined && !isRecord(args))
      return jsonRpcError(200, id, JSON_RPC_ERRORS.invalidParams, 'params.arguments must be an object');
    const argumentsJson = JSON.stringify(args ?? {});
    const record = (server: string, status: ToolCallStatus): void =>
      request.recordToolCall({
        keyId: caller.keyId,
        server,
        tool: name.slice(0, 256),
        argumentsBytes: Buffer.byteLength(argumentsJson),
        argumentsSha256: hash('sha256', argumentsJson, 'hex'),
        status,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      });

    const resolved = this.resolve(caller, name);
    if (resolved === undefined) {
      record('', 'denied');
      // The same answer for a tool that does not exist and one the key may not use: nothing is revealed.
      return jsonRpcError(
        200,
        id,
        JSON_RPC_ERRORS.invalidParams,
        `unknown tool: ${name.slice(0, 256)} (not among the tools this key may use)`,
      );
    }
    const { server, upstreamName } = resolved;
    const perMinute = caller.mcp?.rateLimit?.callsPerMinute;
    if (perMinute !== undefined) {
      const waitMs = await this.options.admitToolCall(caller.keyId, perMinute);
      if (waitMs !== undefined) {
        record(server.id, 'rate_limited');
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        return ok(
          id,
          complete(
            mode,
            toolErrorResult(
              `rate limit reached: this key may make ${perMinute} tool calls per minute (VirtualKey spec.mcp.rateLimit.callsPerMinute); retry in ${seconds} s`,
            ),
          ),
        );
      }
    }
    const guard = request.toolGuard;
    const relay = new NotificationRelay(request, params, guard !== undefined);
    try {
      // Guardrails see the call once it is known to be allowed, before it is sent (a redact rewrites the arguments).
      const sent = guard === undefined ? args : await guard.checkArguments(args);
      const forwarded: Record<string, unknown> = { name: upstreamName };
      if (sent !== undefined) forwarded.arguments = sent;
      if (relay.upstreamToken !== undefined) forwarded._meta = { progressToken: relay.upstreamToken };
      const outcome = await this.options.upstreams.get(server, caller).request('tools/call', forwarded, signal, relay.listener);
      if ('error' in outcome) {
        record(server.id, 'upstream_error');
        return relay.answer(
          jsonRpcError(200, id, outcome.error.code, `MCP server ${server.id}: ${outcome.error.message}`, outcome.error.data),
        );
      }
      const result = guard === undefined ? outcome.result : await guard.checkResult(outcome.result);
      record(server.id, result.isError === true ? 'tool_error' : 'ok');
      return relay.answer(ok(id, mode.stateless ? { resultType: 'complete', ...result } : result));
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'guardrail_blocked') {
        record(server.id, 'guardrail_blocked');
        // The policy and the check are in the message; the matched text never is.
        return relay.answer(jsonRpcError(200, id, GUARDRAIL_BLOCKED_CODE, error.message, { code: 'guardrail_blocked' }));
      }
      if (error instanceof McpLoginRequiredError) {
        record(server.id, 'login_required');
        return loginAnswer(id, mode, [error], name);
      }
      if (!(error instanceof McpUpstreamError)) throw error;
      const status: ToolCallStatus = error.reason === 'too_large' ? 'too_large' : error.reason === 'timeout' ? 'timeout' : 'unavailable';
      record(server.id, status);
      const text =
        status === 'too_large'
          ? `the result of ${name} was refused: ${error.message}`
          : `MCP server ${server.id} is unavailable, so ${name} cannot run: ${error.message}`;
      return relay.answer(ok(id, complete(mode, toolErrorResult(text))));
    }
  }

  /** The server owning `name` (longest matching prefix) when the key may call it, and the upstream's own name. */
  private resolve(caller: McpCaller, name: string): { server: CompiledMCPServer; upstreamName: string } | undefined {
    const allow = this.allowList(caller.mcp);
    if (allow === undefined || !allow.test(name)) return undefined;
    const owner = this.owner(caller, name);
    if (owner === undefined) return undefined;
    return this.toolFilter(owner.server)(owner.rest) ? { server: owner.server, upstreamName: owner.rest } : undefined;
  }

  /** The key's allowedTools as one anchored alternation; undefined: the key has no MCP section (deny all). */
  private allowList(mcp: CompiledKeyMCP | undefined): RegExp | undefined {
    if (mcp === undefined) return undefined;
    let allow = this.allowLists.get(mcp);
    if (allow === undefined) {
      allow = mcp.allowedTools.length === 0 ? /(?!)/ : new RegExp(mcp.allowedTools.map((glob) => globToRegExpSource(glob)).join('|'));
      this.allowLists.set(mcp, allow);
    }
    return allow;
  }

  /** Whether any of the key's allowedTools globs could match a tool of server `serverId` (its literal start fits `<prefix>__`). */
  private mayUseServer(caller: McpCaller, serverId: string): boolean {
    const server = caller.servers.find((candidate) => candidate.id === serverId);
    if (server === undefined || caller.mcp === undefined) return false;
    const whole = `${server.prefix}${PREFIX_SEPARATOR}`;
    return caller.mcp.allowedTools.some((glob) => {
      const literal = glob.split('*', 1)[0] ?? '';
      return glob.includes('*') ? whole.startsWith(literal) || literal.startsWith(whole) : glob.startsWith(whole);
    });
  }

  /** A server's toolFilter over its own tool names: included (all when no include globs) and not excluded. */
  private toolFilter(server: CompiledMCPServer): (name: string) => boolean {
    let filter = this.filters.get(server);
    if (filter === undefined) {
      const include = alternation(server.toolFilter.include);
      const exclude = alternation(server.toolFilter.exclude);
      filter = (name) => (include === undefined || include.test(name)) && (exclude === undefined || !exclude.test(name));
      this.filters.set(server, filter);
    }
    return filter;
  }
}

/** What a per-user server lists before the caller signs in: one tool whose call answers the sign-in link. */
function signInTool(server: CompiledMCPServer): McpToolDefinition {
  return {
    name: `${server.prefix}${PREFIX_SEPARATOR}${SIGN_IN_TOOL}`,
    description: `Sign in to MCP server ${server.id}, which acts as each user: call this to get a sign-in link for the user to open. Its other tools are listed once the user has signed in.`,
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  };
}

/**
 * The answer to a request that needs the caller to sign in first: URLElicitationRequiredError
 * (-32042) with one URL-mode elicitation per server for clients that declared URL elicitation;
 * otherwise the link in words, as a tool error for a tool call (`tool`) or a JSON-RPC error.
 */
function loginAnswer(id: JsonRpcId, mode: Mode, logins: readonly McpLoginRequiredError[], tool: string | undefined): McpHttpAnswer {
  const minutes = Math.round(MCP_OAUTH_FLOW_TTL_MS / 60_000);
  if (mode.urlElicitation)
    return jsonRpcError(
      200,
      id,
      URL_ELICITATION_REQUIRED,
      `sign-in required: ${logins.map((login) => `MCP server ${login.serverId}`).join(', ')} acts as each user`,
      {
        elicitations: logins.map((login) => ({
          mode: 'url',
          elicitationId: login.elicitationId,
          url: login.loginUrl,
          message: `Sign in to MCP server ${login.serverId} so the gateway can call it as you (the link works once, for ${minutes} minutes).`,
        })),
      },
    );
  const text = logins
    .map(
      (login) =>
        `MCP server ${login.serverId} acts as each user and needs you to sign in first: open ${login.loginUrl} in a browser (the link works once, for ${minutes} minutes), then ${tool === undefined ? 'try again' : `call ${tool.slice(0, 256)} again`}.`,
    )
    .join(' ');
  return tool === undefined ? jsonRpcError(200, id, JSON_RPC_ERRORS.internalError, text) : ok(id, complete(mode, toolErrorResult(text)));
}

function alternation(globs: readonly string[]): RegExp | undefined {
  return globs.length === 0 ? undefined : new RegExp(globs.map((glob) => globToRegExpSource(glob)).join('|'));
}

/**
 * What a tools/call relays to its caller while it runs: the upstream's progress notifications
 * for the caller's `_meta.progressToken` (the upstream sees a token of the gateway's own, unique
 * to the call, since one upstream session serves many callers), and its log messages
 * (`notifications/message`). They go out on the call's event stream, opened on the first one;
 * a call that hears none answers with plain JSON. When a GuardrailPolicy applies to the key,
 * log messages are not relayed and progress loses its free-text `message`: guardrails check
 * results, and these would pass them by.
 */
class NotificationRelay {
  readonly upstreamToken: string | undefined;
  private readonly callerToken: string | number | undefined;
  private events: McpEventStream | undefined;

  constructor(
    private readonly request: McpHttpRequest,
    params: Record<string, unknown>,
    private readonly guarded: boolean,
  ) {
    const token = isRecord(params._meta) ? params._meta.progressToken : undefined;
    this.callerToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
    this.upstreamToken = this.callerToken !== undefined && request.openEventStream !== undefined ? `switchyard-${randomUUID()}` : undefined;
  }

  get listener(): ((notification: UpstreamNotification) => void) | undefined {
    return this.request.openEventStream === undefined ? undefined : (notification) => this.relay(notification);
  }

  private relay({ method, params }: UpstreamNotification): void {
    let message: string;
    if (method === 'notifications/progress') {
      if (this.upstreamToken === undefined || params.progressToken !== this.upstreamToken) return;
      const { message: text, ...rest } = params;
      message = encodeJsonRpcNotification(method, {
        ...rest,
        ...(this.guarded || typeof text !== 'string' ? {} : { message: text }),
        progressToken: this.callerToken,
      });
    } else if (method === 'notifications/message' && !this.guarded) {
      message = encodeJsonRpcNotification(method, params);
    } else return;
    this.events ??= this.request.openEventStream?.({});
    this.events?.send(message);
  }

  /** The call's answer: on its event stream when one was opened, else as it is. */
  answer(answer: McpHttpAnswer): McpHttpAnswer {
    if (this.events === undefined) return answer;
    if (answer.body !== undefined) this.events.send(answer.body);
    this.events.end();
    return { status: 200, headers: {}, body: undefined, streamed: true };
  }
}

/** 2026-07-28 results say they are complete (not an input request). */
function complete(mode: Mode, result: Record<string, unknown>): Record<string, unknown> {
  return mode.stateless ? { resultType: 'complete', ...result } : result;
}

function ok(id: JsonRpcId, result: Record<string, unknown>): McpHttpAnswer {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: encodeJsonRpcResult(id, result) };
}

function jsonRpcError(status: number, id: JsonRpcId | null, code: number, message: string, data?: unknown): McpHttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: encodeJsonRpcError(id, code, message, data) };
}

function unsupportedVersion(id: JsonRpcId, requested: string): McpHttpAnswer {
  return jsonRpcError(
    400,
    id,
    JSON_RPC_ERRORS.invalidParams,
    `unsupported protocol version ${requested.slice(0, 64)} (or ${MCP_PROTOCOL_VERSION_HEADER} disagrees with _meta)`,
    {
      supported: [...MCP_SUPPORTED_VERSIONS],
      requested: requested.slice(0, 64),
    },
  );
}

/** The lists `/mcp` aggregates, by their result field. */
type ListField = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

/** Each list's cursor tag (`t1` kept from the first release, so tools cursors already issued stay valid). */
const CURSOR_TAGS: Record<ListField, string> = { tools: 't1', prompts: 'p1', resources: 'r1', resourceTemplates: 'rt1' };

/** Cursors are opaque to callers: a versioned, per-list offset, base64url. */
function encodeCursor(offset: number, field: ListField): string {
  return Buffer.from(`${CURSOR_TAGS[field]}:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, field: ListField): number | undefined {
  const match = /^([a-z0-9]{1,4}):(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null || match[1] !== CURSOR_TAGS[field] ? undefined : Number(match[2]);
}

/** Sorted by a string field in byte order, so every replica pages the same list. */
function sortBy(items: Record<string, unknown>[], field: string): Record<string, unknown>[] {
  const key = (item: Record<string, unknown>): string => item[field] as string;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
