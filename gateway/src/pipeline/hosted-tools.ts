// Hosted tools for Chat Completions (ModelRoute `spec.mcp`): the gateway offers the tools of the
// route's MCPServers to the model, runs the calls the model asks for through the gateway's own
// MCP server (the same allowedTools, rate limit, audit line, metrics and span as `/mcp`), feeds
// the results back and asks again, for at most `maxRounds` model calls (docs/mcp.md, "Hosted
// tools").
//
// Every round goes to the backend that answered the first (one conversation, one prompt cache),
// and only the first round is retried or falls back: a later round follows tool calls that have
// run, so a failure then ends the request instead of running them again elsewhere. The usage of
// every round is added up, so settle charges budgets and rate limits for all of them. A round
// whose tool calls include one of the caller's own tools ends the loop: the caller gets those
// calls (and none of the hosted ones, which are not run) to answer itself. The last allowed round
// is sent with `tool_choice: none`, so the model answers in text.
//
// Streams stay streams: text of every round reaches the caller as it is generated; the hosted
// calls, the intermediate finish and usage events are held back, and the caller's stream ends
// with the last round's finish and the summed usage.
import { emptyUsage, isRecord, type Usage } from '@switchyard/compiler';
import { GatewayError, invalidRequest } from '../errors/gateway-error.js';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import type { McpCaller, McpToolGuard, ToolCallRecord } from '../mcp/mcp-server.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type {
  ContentPart,
  ImagePart,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
  UnifiedChatRequest,
  UnifiedTool,
} from '../unified/chat-request.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';
import { MCP_STATELESS_VERSION, META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION } from '../wire/mcp/index.js';
import type { ChatCallResult, UpstreamEventStream } from './call-upstream.js';
import type { McpGateway } from './mcp-operation.js';

/** Pages of `tools/list` read when offering a route's tools (100 tools each). */
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
  /** The key's guardrails on tool calls, as on `POST /mcp` (a block becomes an error result the model reads). */
  readonly toolGuard: McpToolGuard | undefined;
  recordToolCall(record: ToolCallRecord): void;
}

/**
 * Adds the route's hosted tools to `request.tools` and returns the loop that runs them, or
 * undefined when the route has no `spec.mcp` or the key may use none of its tools (a key without
 * `spec.mcp` sees no tools: deny by default, as on `/mcp`).
 */
export async function offerHostedTools(context: HostedToolContext, request: UnifiedChatRequest): Promise<HostedToolLoop | undefined> {
  const routeMcp = context.route.compiled.mcp;
  if (routeMcp === undefined || context.key.compiled.mcp === undefined) return undefined;
  const wanted = new Set(routeMcp.servers);
  const caller: McpCaller = {
    keyId: context.key.id,
    mcp: context.key.compiled.mcp,
    servers: context.gateway.serversFor(context.table, context.key.compiled.namespace).filter((server) => wanted.has(server.id)),
  };
  if (caller.servers.length === 0) return undefined;
  const tools = await listTools(context, caller);
  if (tools.length === 0) return undefined;
  const names = new Set(tools.map((tool) => tool.name));
  for (const own of request.tools ?? []) {
    if (names.has(own.name))
      throw invalidRequest(
        `tool "${own.name.slice(0, 128)}" is one of the caller's tools and a hosted tool of route ${context.route.id} (spec.mcp); rename the caller's tool`,
        'tools',
      );
  }
  request.tools = [...(request.tools ?? []), ...tools];
  return {
    names,
    run: (round, first) => runLoop(context, caller, names, routeMcp.maxRounds, round, first),
  };
}

async function listTools(context: HostedToolContext, caller: McpCaller): Promise<UnifiedTool[]> {
  const tools: UnifiedTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const result = await mcpRequest(context, caller, 'tools/list', cursor === undefined ? {} : { cursor });
    if ('error' in result)
      throw new GatewayError('upstream_failed', `the hosted tools of route ${context.route.id} could not be listed: ${result.error}`);
    const listed = Array.isArray(result.result.tools) ? (result.result.tools as Array<Record<string, unknown>>) : [];
    for (const tool of listed) {
      if (typeof tool.name !== 'string') continue;
      const parameters = isRecord(tool.inputSchema) ? tool.inputSchema : { type: 'object' };
      tools.push({
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        parameters,
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
): Promise<{ result: Record<string, unknown> } | { error: string }> {
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
  const error =
    body !== undefined && isRecord(body.error) && typeof body.error.message === 'string' ? body.error.message : `HTTP ${answer.status}`;
  return { error };
}

async function runLoop(
  context: HostedToolContext,
  caller: McpCaller,
  names: ReadonlySet<string>,
  maxRounds: number,
  round: ChatRound,
  first: UnifiedChatRequest,
): Promise<ChatCallResult> {
  const firstAnswer = await round(roundRequest(first, 1, maxRounds));
  if (firstAnswer.kind === 'stream')
    return { kind: 'stream', stream: new HostedToolStream(context, caller, names, maxRounds, round, first, firstAnswer.stream) };
  let request = first;
  let answer = firstAnswer.response;
  let usage = addUsage(emptyUsage(), answer.usage);
  for (let n = 1; ; n += 1) {
    const calls = answer.content.filter((part): part is ToolCallPart => part.type === 'tool_call');
    const hosted = calls.filter((call) => names.has(call.name));
    if (n >= maxRounds || answer.finishReason !== 'tool_calls' || hosted.length === 0 || hosted.length !== calls.length)
      // Hosted calls the loop does not run are the gateway's business, never the caller's (as on a stream).
      return {
        kind: 'complete',
        response: { ...answer, content: answer.content.filter((part) => part.type !== 'tool_call' || !names.has(part.name)), usage },
      };
    request = await nextRequest(context, caller, request, answer.content, hosted);
    const next = await laterRound(round, roundRequest(request, n + 1, maxRounds), n + 1);
    if (next.kind !== 'complete') throw new Error('a hosted-tool round answered a stream to a request that asked for none');
    answer = next.response;
    usage = addUsage(usage, answer.usage);
  }
}

/** The request of round `n`: the last allowed round asks for text (tool_choice none). */
function roundRequest(request: UnifiedChatRequest, n: number, maxRounds: number): UnifiedChatRequest {
  return n >= maxRounds ? { ...request, toolChoice: { type: 'none' } } : request;
}

/** A round after the first: never retried or fallen back (its tools have run), so an upstream failure ends the request here. */
async function laterRound(round: ChatRound, request: UnifiedChatRequest, n: number): Promise<ChatCallResult> {
  try {
    return await round(request);
  } catch (error) {
    if (!(error instanceof UpstreamFailure)) throw error;
    throw new GatewayError('upstream_failed', `round ${n} of the hosted tool loop failed: ${error.message}`, { cause: error });
  }
}

/** The history for the next round: the model's turn as it was, then one tool message with every hosted call's result. */
async function nextRequest(
  context: HostedToolContext,
  caller: McpCaller,
  request: UnifiedChatRequest,
  assistant: ContentPart[],
  hosted: readonly ToolCallPart[],
): Promise<UnifiedChatRequest> {
  const results = await Promise.all(hosted.map((call) => runTool(context, caller, call)));
  return {
    ...request,
    messages: [...request.messages, { role: 'assistant', content: assistant }, { role: 'tool', content: results }],
  };
}

async function runTool(context: HostedToolContext, caller: McpCaller, call: ToolCallPart): Promise<ToolResultPart> {
  const failed = (text: string): ToolResultPart => ({
    type: 'tool_result',
    toolCallId: call.id,
    toolName: call.name,
    content: [{ type: 'text', text }],
    isError: true,
  });
  let args: unknown;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return failed(`the arguments of ${call.name} are not JSON`);
  }
  if (!isRecord(args)) return failed(`the arguments of ${call.name} are not a JSON object`);
  const answer = await mcpRequest(context, caller, 'tools/call', { name: call.name, arguments: args });
  if ('error' in answer) return failed(answer.error);
  return {
    type: 'tool_result',
    toolCallId: call.id,
    toolName: call.name,
    content: toolResultContent(answer.result),
    ...(answer.result.isError === true ? { isError: true } : {}),
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
  private ended = false;
  private readonly abortListeners = new Set<(reason: unknown) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly context: HostedToolContext,
    private readonly caller: McpCaller,
    private readonly names: ReadonlySet<string>,
    private readonly maxRounds: number,
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
      const batch = await this.current.next();
      if (batch !== null) {
        const events = this.filter(batch);
        if (events.length > 0) return events;
        continue;
      }
      const continued = await this.startNextRound();
      if (continued !== undefined) {
        if (continued.length > 0) return continued;
        continue;
      }
      this.ended = true;
      return [this.finish ?? { type: 'finish', finishReason: 'other' }, { type: 'usage', usage: this.usage }];
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

  /** Runs this round's hosted calls and starts the next round; undefined when the loop ends here. */
  private async startNextRound(): Promise<UnifiedStreamEvent[] | undefined> {
    const hosted = [...this.hosted.values()];
    if (this.n >= this.maxRounds || this.finish?.finishReason !== 'tool_calls' || hosted.length === 0 || this.callerIndex.size > 0)
      return undefined;
    const assistant: ContentPart[] = [];
    if (this.reasoning !== undefined) assistant.push(this.reasoning);
    if (this.text !== '') assistant.push({ type: 'text', text: this.text });
    assistant.push(...hosted);
    this.request = await nextRequest(this.context, this.caller, this.request, assistant, hosted);
    this.n += 1;
    const answer = await laterRound(this.round, roundRequest(this.request, this.n, this.maxRounds), this.n);
    if (answer.kind !== 'stream') throw new Error('a hosted-tool round answered a whole response to a request that asked for a stream');
    this.current = answer.stream;
    this.watch(answer.stream);
    this.finish = undefined;
    this.hosted = new Map();
    this.callerIndex = new Map();
    this.text = '';
    this.reasoning = undefined;
    return this.filter(answer.stream.first);
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
          if (this.names.has(event.name))
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
      }
    }
    return out;
  }
}

function addUsage(total: Usage, more: Usage): Usage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    reasoningTokens: total.reasoningTokens + more.reasoningTokens,
  };
}
