// Hosted tools (docs/mcp.md, "Hosted tools"): the gateway offers the tools of MCPServers to the
// model, runs the calls the model asks for through the gateway's own MCP server (the same
// allowedTools, rate limit, audit line, metrics and span as `/mcp`), feeds the results back and
// asks again, for at most `maxRounds` model calls. Two selections feed one loop: the route's
// `spec.mcp` (any front door; its tools stay invisible to the caller) and the servers a caller
// names in its own request (`request.hostedMcp`: the Responses API's `mcp` tools, Anthropic
// Messages' `mcp_servers`), resolved against the MCPServers the caller's key may use, whose
// listings and calls the answer reports (hosted_tool_list / hosted_tool_call parts and events)
// for the front door to write in its own items. The upstream model only ever sees function tools.
//
// Every round goes to the backend that answered the first (one conversation, one prompt cache),
// and only the first round is retried or falls back: a later round follows tool calls that have
// run, so a failure then ends the request instead of running them again elsewhere. The usage of
// every round is added up, so settle charges budgets and token rate limits for all of them, and
// every later round takes one more request from the key's requestsPerMinute before it is sent. A round
// whose tool calls include one of the caller's own tools ends the loop: the caller gets those
// calls (and none of the hosted ones, which are not run) to answer itself. The last allowed round
// is sent with `tool_choice: none`, so the model answers in text.
//
// Streams stay streams: text of every round reaches the caller as it is generated; the hosted
// calls, the intermediate finish and usage events are held back (reported calls are announced
// before they run and their results after), and the caller's stream ends with the last round's
// finish and the summed usage.
import { CRD_DEFAULTS, emptyUsage, isRecord, type CompiledMCPServer, type Usage } from '@switchyard/compiler';
import { GatewayError, invalidRequest } from '../errors/gateway-error.js';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import type { McpCaller, McpToolGuard, ToolCallRecord } from '../mcp/mcp-server.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type {
  ContentPart,
  HostedMcpServer,
  ImagePart,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
  UnifiedChatRequest,
  UnifiedTool,
} from '../unified/chat-request.js';
import type {
  HostedToolCallPart,
  HostedToolDescription,
  HostedToolListPart,
  HostedToolOutcome,
  HostedToolReport,
} from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import { JSON_RPC_ERRORS, MCP_STATELESS_VERSION, META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION } from '../wire/mcp/index.js';
import type { ChatCallResult, UpstreamEventStream } from './call-upstream.js';
import type { McpGateway } from './mcp-operation.js';

/** Pages of `tools/list` read when offering a server's tools (100 tools each). */
const MAX_LIST_PAGES = 10;

/** One model call of the loop, on the backend the first round chose. */
type ChatRound = (request: UnifiedChatRequest) => Promise<ChatCallResult>;

export interface HostedToolLoop {
  /** Prefixed names of the hosted tools offered to the model. */
  readonly names: ReadonlySet<string>;
  /** Runs the loop from the caller's request (hosted tools added) to the answer the caller gets. */
  run(round: ChatRound, request: UnifiedChatRequest): Promise<ChatCallResult>;
}

/** What the loop needs of the request it serves. */
export interface HostedToolContext {
  readonly gateway: McpGateway;
  readonly table: RuntimeTable;
  readonly key: RuntimeKey;
  readonly route: RuntimeRoute;
  readonly signal: AbortSignal;
  /** Who within the key called: per-user OAuth servers act as this identity. */
  readonly identity: McpCaller['identity'];
  /** The key's guardrails on tool calls, as on `POST /mcp` (a block becomes an error result the model reads). */
  readonly toolGuard: McpToolGuard | undefined;
  recordToolCall(record: ToolCallRecord): void;
  /** Counts round `n` (2 and later) against the key's requestsPerMinute; throws (429) when there is no room. */
  admitRound(n: number): Promise<void>;
}

/** What the loop knows of the tools it offered: which it runs, and how the caller sees those it asked for. */
interface HostedTools {
  readonly caller: McpCaller;
  /** Prefixed names of every hosted tool. */
  readonly names: ReadonlySet<string>;
  /** The tools the caller asked for by name (request.hostedMcp): their server label and own name, for the reports. */
  readonly reported: ReadonlyMap<string, { server: string; name: string }>;
  /** The listing of each server the caller asked for, reported before anything else. */
  readonly lists: readonly HostedToolListPart[];
  readonly maxRounds: number;
}

/**
 * Adds the hosted tools to `request.tools` and returns the loop that runs them, or undefined
 * when there are none to offer: the route has no `spec.mcp` (or the key may use none of its
 * tools: a key without `spec.mcp` sees no tools, deny by default, as on `/mcp`) and the caller
 * named no MCP servers. A server the caller names that its key may not use is refused (400).
 */
export async function offerHostedTools(context: HostedToolContext, request: UnifiedChatRequest): Promise<HostedToolLoop | undefined> {
  const asked = request.hostedMcp ?? [];
  const routeMcp = context.route.compiled.mcp;
  const keyMcp = context.key.compiled.mcp;
  const reachable = context.gateway.serversFor(context.table, context.key.compiled.namespace);
  const resolved = resolveAsked(context, reachable, asked);
  if (asked.length === 0 && (routeMcp === undefined || keyMcp === undefined)) return undefined;
  const wanted = new Set(routeMcp?.servers ?? []);
  const routeServers = keyMcp === undefined ? [] : reachable.filter((server) => wanted.has(server.id));
  const servers = [...new Set([...resolved.map(({ server }) => server), ...routeServers])];
  const caller: McpCaller = { keyId: context.key.id, mcp: keyMcp, servers, identity: context.identity };

  const offered: UnifiedTool[] = [];
  const reported = new Map<string, { server: string; name: string }>();
  const lists: HostedToolListPart[] = [];
  for (const { entry, server } of resolved) {
    // A server that cannot list is reported on its listing (the Responses item's `error`), not only logged.
    let failure: string | undefined;
    const listFailed = (_server: CompiledMCPServer, error: unknown): void => {
      failure = `MCP server "${entry.label}" could not list its tools: ${error instanceof Error ? error.message : String(error)}`;
    };
    const listed = (await listTools(context, { ...caller, servers: [server], listFailed }, `MCP server "${entry.label}"`)).filter((tool) =>
      wantedByCaller(entry, ownName(server, tool.name), tool.annotations),
    );
    lists.push({
      type: 'hosted_tool_list',
      server: entry.label,
      tools: listed.map((tool) => description(server, tool)),
      ...(failure === undefined ? {} : { error: failure }),
    });
    for (const tool of listed) {
      reported.set(tool.name, { server: entry.label, name: ownName(server, tool.name) });
      offered.push(unifiedTool(tool));
    }
  }
  if (routeServers.length > 0) {
    for (const tool of await listTools(context, { ...caller, servers: routeServers }, `the hosted tools of route ${context.route.id}`))
      if (!reported.has(tool.name)) offered.push(unifiedTool(tool));
  }
  if (offered.length === 0 && asked.length === 0) return undefined;
  const names = new Set(offered.map((tool) => tool.name));
  for (const own of request.tools ?? []) {
    if (!names.has(own.name)) continue;
    const server = reported.get(own.name)?.server;
    const hostedBy = server === undefined ? `route ${context.route.id} (spec.mcp)` : `MCP server "${server}"`;
    throw invalidRequest(
      `tool "${own.name.slice(0, 128)}" is one of the caller's tools and a hosted tool of ${hostedBy}; rename the caller's tool`,
      'tools',
    );
  }
  if (offered.length > 0) request.tools = [...(request.tools ?? []), ...offered];
  const hosted: HostedTools = { caller, names, reported, lists, maxRounds: routeMcp?.maxRounds ?? CRD_DEFAULTS.routeMcpMaxRounds };
  return { names, run: (round, first) => runLoop(context, hosted, round, first) };
}

/**
 * The MCPServers the caller named, each resolved as `/mcp` resolves them for this key: by the
 * prefix its tools carry there (the resource name unless `spec.prefix` says otherwise) or by
 * `namespace/name`, among the servers the key's namespace reaches. Anything else is a 400 naming
 * the field and the label; the gateway never calls a server that is not declared as a resource.
 */
function resolveAsked(
  context: HostedToolContext,
  reachable: readonly CompiledMCPServer[],
  asked: readonly HostedMcpServer[],
): Array<{ entry: HostedMcpServer; server: CompiledMCPServer }> {
  const resolved: Array<{ entry: HostedMcpServer; server: CompiledMCPServer }> = [];
  for (const entry of asked) {
    const field = `${entry.field}.${entry.labelField}`;
    const label = JSON.stringify(entry.label.slice(0, 128));
    const server =
      context.key.compiled.mcp === undefined
        ? undefined
        : (reachable.find((candidate) => candidate.prefix === entry.label) ?? reachable.find((candidate) => candidate.id === entry.label));
    if (server === undefined)
      throw invalidRequest(
        `'${field}': MCP server ${label} is not one this key may use (an MCPServer in the key's namespace or a shared one, named by its prefix or namespace/name, and a key with spec.mcp)`,
        field,
      );
    if (entry.url !== undefined && entry.url !== server.url) {
      const urlField = `${entry.field}.${entry.urlField ?? 'url'}`;
      throw invalidRequest(
        `'${urlField}': this gateway calls only MCPServers declared as resources, and the URL given is not that of MCP server ${label}; leave the URL out`,
        urlField,
      );
    }
    if (resolved.some((earlier) => earlier.server.id === server.id))
      throw invalidRequest(`'${field}': MCP server ${label} is named twice`, field);
    resolved.push({ entry, server });
  }
  return resolved;
}

/** A listed tool, prefixed as the gateway's MCP server names it. */
interface ListedTool {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
}

function ownName(server: CompiledMCPServer, prefixed: string): string {
  const prefix = `${server.prefix}__`;
  return prefixed.startsWith(prefix) ? prefixed.slice(prefix.length) : prefixed;
}

/** The caller's own narrowing (`allowed_tools`), on top of the key's allowedTools that the listing already applied. */
function wantedByCaller(entry: HostedMcpServer, name: string, annotations: Record<string, unknown> | undefined): boolean {
  if (entry.allowedTools !== undefined && !entry.allowedTools.includes(name)) return false;
  return entry.readOnly !== true || annotations?.readOnlyHint === true;
}

function description(server: CompiledMCPServer, tool: ListedTool): HostedToolDescription {
  const described: HostedToolDescription = { name: ownName(server, tool.name), inputSchema: tool.inputSchema };
  if (tool.description !== undefined) described.description = tool.description;
  if (tool.annotations !== undefined) described.annotations = tool.annotations;
  return described;
}

function unifiedTool(tool: ListedTool): UnifiedTool {
  return { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.inputSchema };
}

async function listTools(context: HostedToolContext, caller: McpCaller, what: string): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const result = await mcpRequest(context, caller, 'tools/list', cursor === undefined ? {} : { cursor });
    if ('error' in result) throw new GatewayError('upstream_failed', `${what} could not be listed: ${result.error.message}`);
    const listed = Array.isArray(result.result.tools) ? (result.result.tools as Array<Record<string, unknown>>) : [];
    for (const tool of listed) {
      if (typeof tool.name !== 'string') continue;
      tools.push({
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        inputSchema: isRecord(tool.inputSchema) ? tool.inputSchema : { type: 'object' },
        ...(isRecord(tool.annotations) ? { annotations: tool.annotations } : {}),
      });
    }
    cursor = typeof result.result.nextCursor === 'string' ? result.result.nextCursor : undefined;
    if (cursor === undefined) break;
  }
  return tools;
}

/** One stateless (2026-07-28) request to the gateway's own MCP server, as `caller`. */
async function mcpRequest(
  context: HostedToolContext,
  caller: McpCaller,
  method: 'tools/list' | 'tools/call',
  params: Record<string, unknown>,
): Promise<{ result: Record<string, unknown> } | { error: { code: number; message: string } }> {
  const answer = await context.gateway.server.handle(caller, {
    message: {
      kind: 'request',
      id: 1,
      method,
      params: { ...params, _meta: { [META_PROTOCOL_VERSION]: MCP_STATELESS_VERSION, [META_CLIENT_CAPABILITIES]: {} } },
    },
    sessionId: undefined,
    protocolHeader: MCP_STATELESS_VERSION,
    signal: context.signal,
    toolGuard: method === 'tools/call' ? context.toolGuard : undefined,
    recordToolCall: (record) => context.recordToolCall(record),
  });
  const body = answer.body === undefined ? undefined : (JSON.parse(answer.body) as Record<string, unknown>);
  if (body !== undefined && isRecord(body.result)) return { result: body.result };
  const error = body !== undefined && isRecord(body.error) ? body.error : undefined;
  return {
    error: {
      code: typeof error?.code === 'number' ? error.code : JSON_RPC_ERRORS.internalError,
      message: typeof error?.message === 'string' ? error.message : `HTTP ${answer.status}`,
    },
  };
}

async function runLoop(
  context: HostedToolContext,
  hosted: HostedTools,
  round: ChatRound,
  first: UnifiedChatRequest,
): Promise<ChatCallResult> {
  const { names, maxRounds } = hosted;
  const firstAnswer = await round(roundRequest(first, 1, maxRounds));
  if (firstAnswer.kind === 'stream')
    return { kind: 'stream', stream: new HostedToolStream(context, hosted, round, first, firstAnswer.stream) };
  let request = first;
  let answer = firstAnswer.response;
  let usage = addUsage(emptyUsage(), answer.usage);
  // What the caller is shown before the answer: the listings, then the reported calls (only of
  // the servers the caller named). Earlier rounds' words are not: like the route-level loop, a
  // whole answer is the last round's, which the output checks see.
  const shown: HostedToolReport[] = [...hosted.lists];
  for (let n = 1; ; n += 1) {
    const calls = answer.content.filter((part): part is ToolCallPart => part.type === 'tool_call');
    const ran = calls.filter((call) => names.has(call.name));
    if (n >= maxRounds || answer.finishReason !== 'tool_calls' || ran.length === 0 || ran.length !== calls.length)
      // Hosted calls the loop does not run are the gateway's business, never the caller's (as on a stream).
      return {
        kind: 'complete',
        response: {
          ...answer,
          content: answer.content.filter((part) => part.type !== 'tool_call' || !names.has(part.name)),
          ...(shown.length > 0 ? { hosted: shown } : {}),
          usage,
        },
      };
    const results = await runTools(context, hosted, ran);
    if (hosted.reported.size > 0) {
      for (const [i, call] of ran.entries()) {
        const report = reportedCall(hosted, call, results[i]?.outcome);
        if (report !== undefined) shown.push(report);
      }
    }
    request = nextRequest(request, answer.content, results);
    const next = await laterRound(context, round, roundRequest(request, n + 1, maxRounds), n + 1);
    if (next.kind !== 'complete') throw new Error('a hosted-tool round answered a stream to a request that asked for none');
    answer = next.response;
    usage = addUsage(usage, answer.usage);
  }
}

/** A call the caller asked to see, with its outcome. */
function reportedCall(hosted: HostedTools, call: ToolCallPart, outcome: HostedToolOutcome | undefined): HostedToolCallPart | undefined {
  const report = hosted.reported.get(call.name);
  if (report === undefined || outcome === undefined) return undefined;
  return { type: 'hosted_tool_call', id: call.id, server: report.server, name: report.name, arguments: call.arguments, ...outcome };
}

/** The request of round `n`: the last allowed round asks for text (tool_choice none). */
function roundRequest(request: UnifiedChatRequest, n: number, maxRounds: number): UnifiedChatRequest {
  return n >= maxRounds ? { ...request, toolChoice: { type: 'none' } } : request;
}

/**
 * A round after the first: counted as a request of its own by the key's requestsPerMinute, and
 * never retried or fallen back (its tools have run), so an upstream failure ends the request here.
 */
async function laterRound(context: HostedToolContext, round: ChatRound, request: UnifiedChatRequest, n: number): Promise<ChatCallResult> {
  await context.admitRound(n);
  try {
    return await round(request);
  } catch (error) {
    if (!(error instanceof UpstreamFailure)) throw error;
    throw new GatewayError('upstream_failed', `round ${n} of the hosted tool loop failed: ${error.message}`, { cause: error });
  }
}

interface ToolRun {
  readonly result: ToolResultPart;
  readonly outcome: HostedToolOutcome;
}

/** Every hosted call of one round, in parallel. */
function runTools(context: HostedToolContext, hosted: HostedTools, calls: readonly ToolCallPart[]): Promise<ToolRun[]> {
  return Promise.all(calls.map((call) => runTool(context, hosted.caller, call)));
}

/** The history for the next round: the model's turn as it was, then one tool message with every hosted call's result. */
function nextRequest(request: UnifiedChatRequest, assistant: ContentPart[], runs: readonly ToolRun[]): UnifiedChatRequest {
  return {
    ...request,
    messages: [...request.messages, { role: 'assistant', content: assistant }, { role: 'tool', content: runs.map((run) => run.result) }],
  };
}

async function runTool(context: HostedToolContext, caller: McpCaller, call: ToolCallPart): Promise<ToolRun> {
  const failed = (code: number, message: string): ToolRun => ({
    result: { type: 'tool_result', toolCallId: call.id, toolName: call.name, content: [{ type: 'text', text: message }], isError: true },
    outcome: { output: message, error: { kind: 'protocol', code, message } },
  });
  let args: unknown;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return failed(JSON_RPC_ERRORS.invalidParams, `the arguments of ${call.name} are not JSON`);
  }
  if (!isRecord(args)) return failed(JSON_RPC_ERRORS.invalidParams, `the arguments of ${call.name} are not a JSON object`);
  const answer = await mcpRequest(context, caller, 'tools/call', { name: call.name, arguments: args });
  if ('error' in answer) return failed(answer.error.code, answer.error.message);
  const content = toolResultContent(answer.result);
  const isError = answer.result.isError === true;
  const output = content.map((part) => (part.type === 'text' ? part.text : JSON.stringify(part))).join('');
  return {
    result: { type: 'tool_result', toolCallId: call.id, toolName: call.name, content, ...(isError ? { isError: true } : {}) },
    outcome: isError
      ? { output, error: { kind: 'tool', content: Array.isArray(answer.result.content) ? answer.result.content : [] } }
      : { output },
  };
}

/** An MCP tool result's content as the unified model's parts: text and images as they are, anything else as its JSON. */
function toolResultContent(result: Record<string, unknown>): Array<TextPart | ImagePart> {
  const parts: Array<TextPart | ImagePart> = [];
  const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
  for (const item of content) {
    if (!isRecord(item)) continue;
    if (item.type === 'text' && typeof item.text === 'string') parts.push({ type: 'text', text: item.text });
    else if (item.type === 'image' && typeof item.data === 'string' && typeof item.mimeType === 'string')
      parts.push({ type: 'image', source: { kind: 'base64', mediaType: item.mimeType, data: item.data } });
    else parts.push({ type: 'text', text: JSON.stringify(item) });
  }
  // Structured output without text (a tool that answers only structuredContent) still reaches the model.
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push({ type: 'text', text: JSON.stringify(result.structuredContent) });
  if (parts.length === 0) parts.push({ type: 'text', text: '' });
  return parts;
}

/** The caller's stream over every round: text as it comes, hosted calls and intermediate endings held back. */
class HostedToolStream implements UpstreamEventStream {
  readonly first: UnifiedStreamEvent[];
  private current: UpstreamEventStream;
  private n = 1;
  private request: UnifiedChatRequest;
  private usage = emptyUsage();
  private finish: Extract<UnifiedStreamEvent, { type: 'finish' }> | undefined;
  /** This round's hosted calls by the upstream's index, and the caller-visible index of each of the caller's own. */
  private hosted = new Map<number, ToolCallPart>();
  private callerIndex = new Map<number, number>();
  private nextCallerIndex = 0;
  /** This round's text and reasoning, for the history of the next. */
  private text = '';
  private reasoning: ReasoningPart | undefined;
  /** The current round's upstream stream has ended (it is never read again). */
  private roundEnded = false;
  /** The listings the caller asked for have been sent (with the first events). */
  private listed = false;
  private ended = false;
  private readonly abortListeners = new Set<(reason: unknown) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly context: HostedToolContext,
    private readonly tools: HostedTools,
    private readonly round: ChatRound,
    request: UnifiedChatRequest,
    stream: UpstreamEventStream,
  ) {
    this.request = request;
    this.current = stream;
    this.first = this.filter(stream.first);
    this.watch(stream);
  }

  async next(): Promise<UnifiedStreamEvent[] | null> {
    while (!this.ended) {
      if (!this.roundEnded) {
        const batch = await this.current.next();
        if (batch !== null) {
          const events = this.filter(batch);
          if (events.length > 0) return events;
          continue;
        }
        this.roundEnded = true;
        // The calls the caller asked to see are announced before they run.
        const announced = this.continues() ? this.announce() : [];
        if (announced.length > 0) return announced;
      }
      if (this.continues()) {
        const continued = await this.startNextRound();
        if (continued.length > 0) return continued;
        continue;
      }
      this.ended = true;
      return [...this.lists(), this.finish ?? { type: 'finish', finishReason: 'other' }, { type: 'usage', usage: this.usage }];
    }
    return null;
  }

  close(): void {
    this.ended = true;
    this.current.close();
  }

  whenAborted(listener: (reason: unknown) => void): () => void {
    this.abortListeners.add(listener);
    return () => this.abortListeners.delete(listener);
  }

  private watch(stream: UpstreamEventStream): void {
    this.unsubscribe?.();
    this.unsubscribe = stream.whenAborted?.((reason) => {
      for (const listener of this.abortListeners) listener(reason);
    });
  }

  /** The loop goes on after this round: every call of it is hosted, and rounds remain. */
  private continues(): boolean {
    return (
      this.n < this.tools.maxRounds && this.finish?.finishReason === 'tool_calls' && this.hosted.size > 0 && this.callerIndex.size === 0
    );
  }

  /** The listings, once, ahead of everything but response_start. */
  private lists(): UnifiedStreamEvent[] {
    if (this.listed) return [];
    this.listed = true;
    return this.tools.lists.map((list) => ({ ...list }));
  }

  private announce(): UnifiedStreamEvent[] {
    const events: UnifiedStreamEvent[] = [];
    for (const call of this.hosted.values()) {
      const report = this.tools.reported.get(call.name);
      if (report !== undefined)
        events.push({ type: 'hosted_tool_call', id: call.id, server: report.server, name: report.name, arguments: call.arguments });
    }
    return events;
  }

  /** Runs this round's hosted calls, then starts the next round: the reported results and the next round's first events. */
  private async startNextRound(): Promise<UnifiedStreamEvent[]> {
    const hosted = [...this.hosted.values()];
    const assistant: ContentPart[] = [];
    if (this.reasoning !== undefined) assistant.push(this.reasoning);
    if (this.text !== '') assistant.push({ type: 'text', text: this.text });
    assistant.push(...hosted);
    const runs = await runTools(this.context, this.tools, hosted);
    const results: UnifiedStreamEvent[] = [];
    for (const [i, call] of hosted.entries()) {
      const outcome = runs[i]?.outcome;
      if (outcome !== undefined && this.tools.reported.has(call.name))
        results.push({ type: 'hosted_tool_result', id: call.id, ...outcome });
    }
    this.request = nextRequest(this.request, assistant, runs);
    this.n += 1;
    const answer = await laterRound(this.context, this.round, roundRequest(this.request, this.n, this.tools.maxRounds), this.n);
    if (answer.kind !== 'stream') throw new Error('a hosted-tool round answered a whole response to a request that asked for a stream');
    this.current = answer.stream;
    this.watch(answer.stream);
    this.roundEnded = false;
    this.finish = undefined;
    this.hosted = new Map();
    this.callerIndex = new Map();
    this.text = '';
    this.reasoning = undefined;
    return [...results, ...this.filter(answer.stream.first)];
  }

  /** One batch of this round as the caller sees it. */
  private filter(batch: readonly UnifiedStreamEvent[]): UnifiedStreamEvent[] {
    const out: UnifiedStreamEvent[] = [];
    for (const event of batch) {
      switch (event.type) {
        case 'response_start':
          if (this.n === 1) out.push(event);
          break;
        case 'text_delta':
          this.text += event.text;
          out.push(event);
          break;
        case 'reasoning_delta':
          this.reasoning = { ...(this.reasoning ?? { type: 'reasoning', text: '' }), text: `${this.reasoning?.text ?? ''}${event.text}` };
          out.push(event);
          break;
        case 'reasoning_signature':
          this.reasoning = { ...(this.reasoning ?? { type: 'reasoning', text: '' }), signature: event.signature };
          out.push(event);
          break;
        case 'reasoning_redacted':
          this.reasoning = { ...(this.reasoning ?? { type: 'reasoning', text: '' }), redactedData: event.data };
          out.push(event);
          break;
        case 'tool_call_start':
          if (this.tools.names.has(event.name))
            this.hosted.set(event.index, { type: 'tool_call', id: event.id, name: event.name, arguments: '' });
          else {
            const index = this.nextCallerIndex++;
            this.callerIndex.set(event.index, index);
            out.push({ ...event, index });
          }
          break;
        case 'tool_call_delta': {
          const hosted = this.hosted.get(event.index);
          if (hosted !== undefined) hosted.arguments += event.argumentsDelta;
          else {
            const index = this.callerIndex.get(event.index);
            if (index !== undefined) out.push({ ...event, index });
          }
          break;
        }
        case 'finish':
          this.finish = event;
          break;
        case 'usage':
          this.usage = addUsage(this.usage, event.usage);
          break;
        case 'hosted_tool_list':
        case 'hosted_tool_call':
        case 'hosted_tool_result':
          // Only this loop reports hosted tools; an upstream never does.
          break;
      }
    }
    if (!this.listed && (out.length > 0 || batch.length > 0)) {
      const at = out[0]?.type === 'response_start' ? 1 : 0;
      out.splice(at, 0, ...this.lists());
    }
    return out;
  }
}

function addUsage(total: Usage, more: Usage): Usage {
  const sum: Usage = {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    reasoningTokens: total.reasoningTokens + more.reasoningTokens,
  };
  const hourLong = (total.cacheWrite1hTokens ?? 0) + (more.cacheWrite1hTokens ?? 0);
  if (hourLong > 0) sum.cacheWrite1hTokens = hourLong;
  return sum;
}
