// Unified stream events -> Anthropic Messages SSE (for the Anthropic front door).
//
// Anthropic streams content as numbered blocks: each block opens with content_block_start,
// receives deltas, and closes with content_block_stop before the next one opens. Unified events
// carry no block boundaries, so a block is opened whenever the kind of content changes (text,
// thinking, a new tool call) and closed when the next one opens or the stream ends. Usage and
// the stop reason arrive last in unified streams, so they are written by `end()` in
// message_delta, whose counters Anthropic clients treat as whole-message totals.

import type { Usage } from '@switchyard/compiler';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { FrontDoorStreamEncoder } from '../../unified/front-door-codec.js';
import { formatSseEvent } from '../sse/index.js';
import type { FinishReason } from '../../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../unified/stream-events.js';
import { formatAnthropicStreamError } from './anthropic-error-body.js';
import type { AnthropicContentBlockDelta, AnthropicContentBlockStart, AnthropicStreamEvent } from './anthropic-messages-types.js';
import { usageToAnthropic } from './anthropic-usage.js';
import { mcpToolResultBlock, mcpToolUseBlock } from './encode-anthropic-mcp-blocks.js';
import { anthropicMessageId } from './encode-anthropic-response.js';
import { toAnthropicStopReason } from './map-anthropic-stop-reason.js';

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool_use'; index: number; toolIndex: number };

interface AnthropicStreamEncoderOptions {
  /** Written into `error` frames as `request_id`. */
  requestId?: string;
}

export class AnthropicStreamEncoder implements FrontDoorStreamEncoder {
  readonly contentType = 'text/event-stream';
  private started = false;
  private finished = false;
  private nextBlockIndex = 0;
  private open: OpenBlock | undefined;
  private readonly blockIndexByToolIndex = new Map<number, number>();
  private finishReason: FinishReason = 'stop';
  private stopSequence: string | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly requestedModel: string,
    private readonly options: AnthropicStreamEncoderOptions = {},
  ) {}

  encode(event: UnifiedStreamEvent): string {
    if (this.finished) return '';
    switch (event.type) {
      case 'response_start':
        return this.start(event.id);
      case 'text_delta':
        if (event.text === '') return '';
        return this.start('') + this.ensureOpen('text') + this.delta({ type: 'text_delta', text: event.text });
      case 'reasoning_delta':
        if (event.text === '') return '';
        return this.start('') + this.ensureOpen('thinking') + this.delta({ type: 'thinking_delta', thinking: event.text });
      case 'reasoning_signature':
        return this.start('') + this.ensureOpen('thinking') + this.delta({ type: 'signature_delta', signature: event.signature });
      case 'reasoning_redacted': {
        const index = this.nextBlockIndex++;
        return (
          this.start('') +
          this.closeOpen() +
          frame({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: event.data } }) +
          frame({ type: 'content_block_stop', index })
        );
      }
      case 'tool_call_start':
        return (
          this.start('') + this.closeOpen() + this.openBlock({ type: 'tool_use', id: event.id, name: event.name, input: {} }, event.index)
        );
      case 'tool_call_delta': {
        if (event.argumentsDelta === '') return '';
        const index = this.blockIndexByToolIndex.get(event.index);
        // A delta for a tool call that never started has no block to land in.
        if (index === undefined) return '';
        return frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: event.argumentsDelta } });
      }
      case 'finish':
        this.finishReason = event.finishReason;
        this.stopSequence = event.stopSequence;
        return '';
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'hosted_tool_list':
        // The MCP connector lists nothing in the answer; the calls below say which tools ran.
        return '';
      case 'hosted_tool_call': {
        // As Anthropic streams a tool's input: the block opens with an empty input, then one input_json_delta.
        const block = mcpToolUseBlock(event);
        const index = this.nextBlockIndex++;
        return (
          this.start('') +
          this.closeOpen() +
          frame({ type: 'content_block_start', index, content_block: { ...block, input: {} } }) +
          frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }) +
          frame({ type: 'content_block_stop', index })
        );
      }
      case 'hosted_tool_result': {
        const index = this.nextBlockIndex++;
        return (
          this.start('') +
          this.closeOpen() +
          frame({ type: 'content_block_start', index, content_block: mcpToolResultBlock(event) }) +
          frame({ type: 'content_block_stop', index })
        );
      }
    }
  }

  end(): string {
    if (this.finished) return '';
    const out = this.start('') + this.closeOpen();
    this.finished = true;
    const usage = this.usage === undefined ? { output_tokens: 0 } : usageToAnthropic(this.usage);
    return (
      out +
      frame({ type: 'message_delta', delta: toAnthropicStopReason(this.finishReason, this.stopSequence), usage }) +
      frame({ type: 'message_stop' })
    );
  }

  error(error: GatewayError): string {
    if (this.finished) return '';
    this.finished = true;
    return formatAnthropicStreamError(error, this.options.requestId);
  }

  /** message_start + ping, once; later calls (and content before response_start) are no-ops. */
  private start(upstreamId: string): string {
    if (this.started) return '';
    this.started = true;
    return (
      frame({
        type: 'message_start',
        message: {
          id: anthropicMessageId(upstreamId),
          type: 'message',
          role: 'assistant',
          model: this.requestedModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Prompt counts arrive with the unified usage event at the end; message_delta carries them.
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      }) + frame({ type: 'ping' })
    );
  }

  private ensureOpen(kind: 'text' | 'thinking'): string {
    if (this.open?.kind === kind) return '';
    const block: AnthropicContentBlockStart =
      kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return this.closeOpen() + this.openBlock(block, undefined);
  }

  private openBlock(block: AnthropicContentBlockStart, toolIndex: number | undefined): string {
    const index = this.nextBlockIndex++;
    if (block.type === 'tool_use' && toolIndex !== undefined) {
      this.open = { kind: 'tool_use', index, toolIndex };
      this.blockIndexByToolIndex.set(toolIndex, index);
    } else if (block.type === 'text' || block.type === 'thinking') {
      this.open = { kind: block.type, index };
    }
    return frame({ type: 'content_block_start', index, content_block: block });
  }

  private closeOpen(): string {
    if (this.open === undefined) return '';
    const { index } = this.open;
    this.open = undefined;
    return frame({ type: 'content_block_stop', index });
  }

  private delta(delta: AnthropicContentBlockDelta): string {
    // ensureOpen ran just before, so a block is open.
    const index = this.open?.index ?? 0;
    return frame({ type: 'content_block_delta', index, delta });
  }
}

export function createAnthropicStreamEncoder(requestedModel: string, options: AnthropicStreamEncoderOptions = {}): AnthropicStreamEncoder {
  return new AnthropicStreamEncoder(requestedModel, options);
}

/** One SSE frame exactly as Anthropic writes it: `event: <type>` then `data: <json>`. */
function formatAnthropicStreamEvent(event: AnthropicStreamEvent): string {
  return formatSseEvent(JSON.stringify(event), event.type);
}

const frame = formatAnthropicStreamEvent;
