// Unified stream events -> the Responses API's semantic events, each one SSE frame
// `event: <type>\ndata: {"type": <type>, ..., "sequence_number": n}`, in the order the official
// SDKs' stream accumulators rely on:
//
//   response.created, response.in_progress
//   per output item: response.output_item.added, then
//     message:       content_part.added, output_text.delta..., output_text.done, content_part.done
//     reasoning:     reasoning_summary_part.added, reasoning_summary_text.delta..., .done, part.done
//     function_call: function_call_arguments.delta..., function_call_arguments.done
//     mcp_list_tools: mcp_list_tools.in_progress, mcp_list_tools.completed
//     mcp_call:      mcp_call_arguments.delta, mcp_call_arguments.done, mcp_call.in_progress, then
//                    (once the gateway has run it) mcp_call.completed or mcp_call.failed
//   response.output_item.done
//   response.completed | response.incomplete | response.failed (the whole response, usage included)
//
// A message or reasoning item closes when the next item starts; function calls stay open to the
// end, because some providers interleave argument deltas of parallel calls. A failure after the
// first byte ends the stream with an `error` event (carrying a top-level `error` object, which is
// what OpenAI sends and what the SDKs throw on), then `response.failed` with the partial output.

import type { Usage } from '@switchyard/compiler';
import type { GatewayError } from '../../errors/gateway-error.js';
import {
  DEFAULT_REFUSAL,
  encodeReasoningItem,
  finishedResponse,
  inProgressResponse,
  itemStatusFor,
  type ResponsesEnvelope,
  type ResponsesOutputOptions,
} from './encode-responses-response.js';
import { responsesOutcome, type ResponsesOutcome } from './map-responses-status.js';
import type { ResponsesItemStatus, ResponsesOutputItem, ResponsesResponse, ResponsesStreamEvent } from './openai-responses-types.js';
import { mcpCallItem, mcpListToolsItem } from './encode-responses-mcp-items.js';
import { newItemId } from './responses-ids.js';
import { formatSseEvent } from '../sse/index.js';
import type { FinishReason, HostedToolDescription, HostedToolOutcome, OutputPart } from '../../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import type { FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import { openAIErrorBody } from '../openai-chat/index.js';

/** `status` is set when the item is done: completed when the model moved on, else the outcome's. */
type StreamItem = { id: string; open: boolean; status?: ResponsesItemStatus } & (
  | { kind: 'message'; text: string; refusal: boolean }
  | { kind: 'reasoning'; text: string; signature?: string; redactedData?: string }
  | { kind: 'function_call'; callId: string; name: string; arguments: string }
  | { kind: 'mcp_list_tools'; server: string; tools: HostedToolDescription[]; error?: string | undefined }
  | { kind: 'mcp_call'; callId: string; server: string; name: string; arguments: string; outcome?: HostedToolOutcome }
);

/** A newly opened item and its output_item.added frame. */
interface OpenedItem {
  index: number;
  frame: string;
}

/** What a finished stream produced, for the conversation store. */
export interface FinishedStream {
  response: ResponsesResponse;
  content: OutputPart[];
}

export class ResponsesStreamEncoder implements FrontDoorStreamEncoder {
  readonly contentType = 'text/event-stream; charset=utf-8';
  private sequence = 0;
  private started = false;
  private closed = false;
  private readonly items: StreamItem[] = [];
  /** The open message or reasoning item, by output index. */
  private current: number | undefined;
  /** Unified tool-call index -> output index. */
  private readonly toolCalls = new Map<number, number>();
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly envelope: ResponsesEnvelope,
    private readonly options: ResponsesOutputOptions,
    private readonly onFinished: (finished: FinishedStream) => void = () => undefined,
  ) {}

  encode(event: UnifiedStreamEvent): string {
    if (this.closed) return '';
    switch (event.type) {
      case 'response_start':
        return this.start();
      case 'text_delta':
        return event.text === '' ? '' : this.appendText(event.text);
      case 'reasoning_delta':
        return event.text === '' ? '' : this.appendReasoning(event.text);
      case 'reasoning_signature':
        return this.signReasoning(event.signature);
      case 'reasoning_redacted':
        return this.redactedReasoning(event.data);
      case 'tool_call_start':
        return this.startToolCall(event.index, event.id, event.name);
      case 'tool_call_delta':
        return this.appendArguments(event.index, event.argumentsDelta);
      case 'finish':
        this.finishReason ??= event.finishReason;
        return '';
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'hosted_tool_list':
        return this.listTools(event.server, event.tools, event.error);
      case 'hosted_tool_call':
        return this.startMcpCall(event);
      case 'hosted_tool_result':
        return this.finishMcpCall(event.id, event);
    }
  }

  end(): string {
    if (this.closed) return '';
    let out = this.start();
    const finishReason = this.finishReason ?? 'stop';
    const outcome = responsesOutcome(finishReason);
    const status = itemStatusFor(outcome);
    if (finishReason === 'refusal') out += this.markRefusal();
    out += this.closeCurrent(status);
    out += this.closeToolCalls(status);
    const response = finishedResponse(
      this.envelope,
      outcome,
      this.items.map((item) => this.outputItem(item, item.status ?? status)),
      this.usage,
    );
    this.closed = true;
    if (outcome.status !== 'failed') this.onFinished({ response, content: this.unifiedContent() });
    return out + this.frame({ type: terminalEventType(outcome), response });
  }

  error(error: GatewayError): string {
    if (this.closed) return '';
    let out = this.start();
    this.closed = true;
    const body = openAIErrorBody(error).error;
    out += this.frame({ type: 'error', code: body.code, message: body.message, param: body.param, error: body });
    const outcome: ResponsesOutcome = {
      status: 'failed',
      incompleteDetails: null,
      error: { code: error.kind === 'rate_limited' ? 'rate_limit_exceeded' : 'server_error', message: error.message },
    };
    const response = finishedResponse(
      this.envelope,
      outcome,
      this.items.map((item) => this.outputItem(item, item.status ?? 'incomplete')),
      this.usage,
    );
    return out + this.frame({ type: 'response.failed', response });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = inProgressResponse(this.envelope);
    return this.frame({ type: 'response.created', response }) + this.frame({ type: 'response.in_progress', response });
  }

  private appendText(text: string): string {
    let out = this.start();
    let index = this.current;
    if (index === undefined || this.items[index]?.kind !== 'message') {
      out += this.closeCurrent('completed') + this.closeToolCalls('completed');
      const opened = this.open({ kind: 'message', id: newItemId('msg'), text: '', refusal: false, open: true });
      index = this.current = opened.index;
      out += opened.frame;
      out += this.frame({
        type: 'response.content_part.added',
        item_id: this.items[index].id,
        output_index: index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      });
    }
    const item = this.items[index];
    if (item.kind === 'message') item.text += text;
    return (
      out +
      this.frame({ type: 'response.output_text.delta', item_id: item.id, output_index: index, content_index: 0, delta: text, logprobs: [] })
    );
  }

  private appendReasoning(text: string): string {
    let out = this.start();
    let index = this.current;
    if (index === undefined || this.items[index]?.kind !== 'reasoning') {
      out += this.closeCurrent('completed') + this.closeToolCalls('completed');
      const opened = this.openReasoning();
      index = opened.index;
      out += opened.frame;
      out += this.frame({
        type: 'response.reasoning_summary_part.added',
        item_id: this.items[index].id,
        output_index: index,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
    }
    const item = this.items[index];
    if (item.kind === 'reasoning') item.text += text;
    return (
      out +
      this.frame({ type: 'response.reasoning_summary_text.delta', item_id: item.id, output_index: index, summary_index: 0, delta: text })
    );
  }

  /**
   * Anthropic signs a thinking block after its text; unsigned, it cannot be sent back. The
   * signature belongs to the latest reasoning item still without one (the open one, normally).
   */
  private signReasoning(signature: string): string {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[i];
      if (item.kind !== 'reasoning') continue;
      if (item.signature !== undefined || item.redactedData !== undefined) break;
      item.signature = signature;
      return '';
    }
    const out = this.start() + this.closeCurrent('completed') + this.closeToolCalls('completed');
    const opened = this.openReasoning();
    const item = this.items[opened.index];
    if (item.kind === 'reasoning') item.signature = signature;
    return out + opened.frame;
  }

  private redactedReasoning(data: string): string {
    const out = this.start() + this.closeCurrent('completed') + this.closeToolCalls('completed');
    const opened = this.openReasoning();
    const item = this.items[opened.index];
    if (item.kind === 'reasoning') item.redactedData = data;
    return out + opened.frame + this.closeCurrent('completed');
  }

  private openReasoning(): OpenedItem {
    const opened = this.open({ kind: 'reasoning', id: newItemId('rs'), text: '', open: true });
    this.current = opened.index;
    return opened;
  }

  private startToolCall(toolIndex: number, callId: string, name: string): string {
    const out = this.start() + this.closeCurrent('completed');
    const opened = this.open({ kind: 'function_call', id: newItemId('fc'), callId, name, arguments: '', open: true });
    this.toolCalls.set(toolIndex, opened.index);
    return out + opened.frame;
  }

  private appendArguments(toolIndex: number, delta: string): string {
    const index = this.toolCalls.get(toolIndex);
    if (index === undefined) return '';
    const item = this.items[index];
    if (delta === '' || item?.kind !== 'function_call' || !item.open) return '';
    item.arguments += delta;
    return this.frame({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: index, delta });
  }

  /** A hosted server's listing: one item, complete as soon as it is added. */
  private listTools(server: string, tools: HostedToolDescription[], error: string | undefined): string {
    const out = this.start() + this.closeCurrent('completed') + this.closeToolCalls('completed');
    const opened = this.open({ kind: 'mcp_list_tools', id: newItemId('mcpl'), server, tools, error, open: false, status: 'completed' });
    const id = this.items[opened.index].id;
    return (
      out +
      opened.frame +
      this.frame({ type: 'response.mcp_list_tools.in_progress', item_id: id, output_index: opened.index }) +
      this.frame({ type: 'response.mcp_list_tools.completed', item_id: id, output_index: opened.index }) +
      this.frame({
        type: 'response.output_item.done',
        output_index: opened.index,
        item: this.outputItem(this.items[opened.index], 'completed'),
      })
    );
  }

  /** A hosted call about to run: its arguments are whole already (the gateway held them back). */
  private startMcpCall(call: { id: string; server: string; name: string; arguments: string }): string {
    const out = this.start() + this.closeCurrent('completed') + this.closeToolCalls('completed');
    const opened = this.open({
      kind: 'mcp_call',
      id: newItemId('mcp'),
      callId: call.id,
      server: call.server,
      name: call.name,
      arguments: '',
      open: true,
    });
    const item = this.items[opened.index];
    if (item.kind === 'mcp_call') item.arguments = call.arguments;
    const at = { item_id: item.id, output_index: opened.index };
    return (
      out +
      opened.frame +
      (call.arguments === '' ? '' : this.frame({ type: 'response.mcp_call_arguments.delta', ...at, delta: call.arguments })) +
      this.frame({ type: 'response.mcp_call_arguments.done', ...at, arguments: call.arguments }) +
      this.frame({ type: 'response.mcp_call.in_progress', ...at })
    );
  }

  private finishMcpCall(callId: string, outcome: HostedToolOutcome): string {
    const index = this.items.findIndex((item) => item.kind === 'mcp_call' && item.callId === callId && item.open);
    const item = this.items[index];
    if (item?.kind !== 'mcp_call') return '';
    item.outcome = { output: outcome.output, ...(outcome.error === undefined ? {} : { error: outcome.error }) };
    item.open = false;
    item.status = 'completed';
    const at = { item_id: item.id, output_index: index };
    return (
      this.frame({ type: outcome.error === undefined ? 'response.mcp_call.completed' : 'response.mcp_call.failed', ...at }) +
      this.frame({ type: 'response.output_item.done', output_index: index, item: this.outputItem(item, 'completed') })
    );
  }

  /** A refusal stream that said nothing still answers with a refusal message. */
  private markRefusal(): string {
    if (this.items.some((item) => item.kind === 'message')) return '';
    let out = this.closeCurrent('completed') + this.closeToolCalls('completed');
    const opened = this.open({ kind: 'message', id: newItemId('msg'), text: DEFAULT_REFUSAL, refusal: true, open: true });
    const index = (this.current = opened.index);
    const id = this.items[index].id;
    out += opened.frame;
    out += this.frame({
      type: 'response.content_part.added',
      item_id: id,
      output_index: index,
      content_index: 0,
      part: { type: 'refusal', refusal: '' },
    });
    out += this.frame({ type: 'response.refusal.delta', item_id: id, output_index: index, content_index: 0, delta: DEFAULT_REFUSAL });
    return out;
  }

  private open(item: StreamItem): OpenedItem {
    const index = this.items.push(item) - 1;
    return {
      index,
      frame: this.frame({ type: 'response.output_item.added', output_index: index, item: this.outputItem(item, 'in_progress') }),
    };
  }

  private closeCurrent(status: ResponsesItemStatus): string {
    const index = this.current;
    this.current = undefined;
    if (index === undefined) return '';
    const item = this.items[index];
    if (!item.open) return '';
    item.open = false;
    item.status = status;
    let out = '';
    if (item.kind === 'message') {
      if (item.refusal) {
        out += this.frame({ type: 'response.refusal.done', item_id: item.id, output_index: index, content_index: 0, refusal: item.text });
        out += this.frame({
          type: 'response.content_part.done',
          item_id: item.id,
          output_index: index,
          content_index: 0,
          part: { type: 'refusal', refusal: item.text },
        });
      } else {
        out += this.frame({
          type: 'response.output_text.done',
          item_id: item.id,
          output_index: index,
          content_index: 0,
          text: item.text,
          logprobs: [],
        });
        out += this.frame({
          type: 'response.content_part.done',
          item_id: item.id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: item.text, annotations: [], logprobs: [] },
        });
      }
    } else if (item.kind === 'reasoning' && item.text !== '') {
      out += this.frame({
        type: 'response.reasoning_summary_text.done',
        item_id: item.id,
        output_index: index,
        summary_index: 0,
        text: item.text,
      });
      out += this.frame({
        type: 'response.reasoning_summary_part.done',
        item_id: item.id,
        output_index: index,
        summary_index: 0,
        part: { type: 'summary_text', text: item.text },
      });
    }
    return out + this.frame({ type: 'response.output_item.done', output_index: index, item: this.outputItem(item, status) });
  }

  private closeToolCalls(status: ResponsesItemStatus): string {
    let out = '';
    for (const index of this.toolCalls.values()) {
      const item = this.items[index];
      if (item.kind !== 'function_call' || !item.open) continue;
      item.open = false;
      item.status = status;
      out += this.frame({
        type: 'response.function_call_arguments.done',
        item_id: item.id,
        output_index: index,
        name: item.name,
        arguments: item.arguments,
      });
      out += this.frame({ type: 'response.output_item.done', output_index: index, item: this.outputItem(item, status) });
    }
    return out;
  }

  private outputItem(item: StreamItem, status: ResponsesItemStatus): ResponsesOutputItem {
    switch (item.kind) {
      case 'message':
        if (status === 'in_progress') return { type: 'message', id: item.id, role: 'assistant', status, content: [] };
        return {
          type: 'message',
          id: item.id,
          role: 'assistant',
          status,
          content: [
            item.refusal
              ? { type: 'refusal', refusal: item.text }
              : { type: 'output_text', text: item.text, annotations: [], logprobs: [] },
          ],
        };
      case 'reasoning':
        return encodeReasoningItem(item.id, status === 'in_progress' ? { text: '' } : item, status, this.options);
      case 'function_call':
        return {
          type: 'function_call',
          id: item.id,
          call_id: item.callId,
          name: item.name,
          arguments: status === 'in_progress' ? '' : item.arguments,
          status,
        };
      case 'mcp_list_tools':
        return mcpListToolsItem(item.id, item.server, item.tools, item.error);
      case 'mcp_call': {
        const call = mcpCallItem(item.id, { ...item, arguments: status === 'in_progress' ? '' : item.arguments }, item.outcome);
        // A call whose result never came (the stream ended first) ends as the response does.
        if (item.outcome === undefined && status !== 'in_progress') call.status = status;
        return call;
      }
    }
  }

  /** The model's output for the conversation store: the gateway's hosted-tool reports are not part of it. */
  private unifiedContent(): OutputPart[] {
    return this.items.flatMap((item) => {
      const part = outputPartOf(item);
      return part === undefined ? [] : [part];
    });
  }

  private frame(event: ResponsesStreamEvent): string {
    return formatSseEvent(JSON.stringify({ ...event, sequence_number: this.sequence++ }), event.type);
  }
}

function terminalEventType(outcome: ResponsesOutcome): 'response.completed' | 'response.incomplete' | 'response.failed' {
  switch (outcome.status) {
    case 'completed':
      return 'response.completed';
    case 'incomplete':
      return 'response.incomplete';
    case 'failed':
      return 'response.failed';
  }
}

function outputPartOf(item: StreamItem): OutputPart | undefined {
  switch (item.kind) {
    case 'message':
      return { type: 'text', text: item.text };
    case 'reasoning': {
      const part: OutputPart = { type: 'reasoning', text: item.text };
      if (item.signature !== undefined) part.signature = item.signature;
      if (item.redactedData !== undefined) part.redactedData = item.redactedData;
      return part;
    }
    case 'function_call':
      return { type: 'tool_call', id: item.callId, name: item.name, arguments: item.arguments };
    case 'mcp_list_tools':
    case 'mcp_call':
      return undefined;
  }
}
