// Unified stream events -> the unified response they add up to, so a streamed answer can be
// stored like a whole one. Text and reasoning deltas join into one part each until another
// kind of part starts; tool calls are kept by their stream index.
import { emptyUsage, type Usage } from '@switchyard/compiler';
import type { FinishReason, OutputPart, UnifiedChatResponse } from '../unified/chat-response.js';
import type { UnifiedStreamEvent } from '../unified/stream-events.js';

export class StreamResponseAccumulator {
  private id = '';
  private model = '';
  private created = 0;
  private readonly content: OutputPart[] = [];
  private readonly toolCalls = new Map<number, OutputPart & { type: 'tool_call' }>();
  private finishReason: FinishReason | undefined;
  private stopSequence: string | undefined;
  private usage: Usage | undefined;

  add(event: UnifiedStreamEvent): void {
    switch (event.type) {
      case 'response_start':
        this.id = event.id;
        this.model = event.model;
        this.created = event.created;
        return;
      case 'text_delta': {
        const last = this.content.at(-1);
        if (last?.type === 'text') last.text += event.text;
        else if (event.text !== '') this.content.push({ type: 'text', text: event.text });
        return;
      }
      case 'reasoning_delta': {
        const last = this.content.at(-1);
        if (last?.type === 'reasoning' && last.signature === undefined && last.redactedData === undefined) last.text += event.text;
        else this.content.push({ type: 'reasoning', text: event.text });
        return;
      }
      case 'reasoning_signature': {
        const last = this.content.at(-1);
        if (last?.type === 'reasoning') last.signature = event.signature;
        else this.content.push({ type: 'reasoning', text: '', signature: event.signature });
        return;
      }
      case 'reasoning_redacted':
        this.content.push({ type: 'reasoning', text: '', redactedData: event.data });
        return;
      case 'tool_call_start': {
        const part: OutputPart & { type: 'tool_call' } = { type: 'tool_call', id: event.id, name: event.name, arguments: '' };
        this.toolCalls.set(event.index, part);
        this.content.push(part);
        return;
      }
      case 'tool_call_delta': {
        const part = this.toolCalls.get(event.index);
        if (part !== undefined) part.arguments += event.argumentsDelta;
        return;
      }
      case 'finish':
        this.finishReason ??= event.finishReason;
        if (event.stopSequence !== undefined) this.stopSequence ??= event.stopSequence;
        return;
      case 'usage':
        this.usage = event.usage;
        return;
    }
  }

  /** The whole answer, or undefined when the stream never said how it finished. */
  response(): UnifiedChatResponse | undefined {
    if (this.finishReason === undefined) return undefined;
    const response: UnifiedChatResponse = {
      id: this.id,
      model: this.model,
      created: this.created,
      content: this.content.map((part) => ({ ...part })),
      finishReason: this.finishReason,
      usage: this.usage ?? emptyUsage(),
    };
    if (this.stopSequence !== undefined) response.stopSequence = this.stopSequence;
    return response;
  }
}
