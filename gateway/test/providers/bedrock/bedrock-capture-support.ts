import { readFileSync } from 'node:fs';
import { encodeConverseStreamEvent, parseConverseStreamCapture } from './converse-stream-frames.js';
import type { ConverseStreamEvent } from '../../../src/wire/bedrock-converse/converse-types.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import type { Usage } from '../../../src/unified/chat-response.js';
import { wireFixturePath } from '../../support/repo-paths.js';

export const CAPTURES = [
  'amazon-bedrock-text',
  'amazon-bedrock-reasoning',
  'amazon-bedrock-tool-call.1',
  'amazon-bedrock-tool-no-args',
] as const;

function captureEvents(name: string): ConverseStreamEvent[] {
  return parseConverseStreamCapture(readFileSync(wireFixturePath('bedrock-converse', `${name}.chunks.txt`), 'utf8'));
}

export function captureJson(name: string): unknown {
  return JSON.parse(readFileSync(wireFixturePath('bedrock-converse', `${name}.json`), 'utf8')) as unknown;
}

/** The capture as Bedrock puts it on the wire: binary event-stream frames. */
export function captureWireBytes(name: string, padding = false): Buffer {
  return Buffer.concat(
    captureEvents(name).map((event, i) => encodeConverseStreamEvent(event, padding ? { padding: 'x'.repeat(i % 13) } : {})),
  );
}

export interface FoldedStream {
  text: string;
  reasoning: string;
  signatures: string[];
  toolCalls: Array<{ index: number; id: string; name: string; arguments: string }>;
  finish: Array<{ finishReason: string; stopSequence?: string }>;
  usage: Usage[];
  order: string[];
}

/** Collapses a unified event list into what a client would end up with, plus the event order. */
export function foldStream(events: UnifiedStreamEvent[]): FoldedStream {
  const folded: FoldedStream = { text: '', reasoning: '', signatures: [], toolCalls: [], finish: [], usage: [], order: [] };
  for (const event of events) {
    if (folded.order[folded.order.length - 1] !== event.type) folded.order.push(event.type);
    switch (event.type) {
      case 'text_delta':
        folded.text += event.text;
        break;
      case 'reasoning_delta':
        folded.reasoning += event.text;
        break;
      case 'reasoning_signature':
        folded.signatures.push(event.signature);
        break;
      case 'tool_call_start':
        folded.toolCalls[event.index] = { index: event.index, id: event.id, name: event.name, arguments: '' };
        break;
      case 'tool_call_delta': {
        const call = folded.toolCalls[event.index];
        if (!call) throw new Error(`delta for tool call ${event.index} before its start`);
        call.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        folded.finish.push(
          event.stopSequence === undefined
            ? { finishReason: event.finishReason }
            : { finishReason: event.finishReason, stopSequence: event.stopSequence },
        );
        break;
      case 'usage':
        folded.usage.push(event.usage);
        break;
      default:
        break;
    }
  }
  return folded;
}

export const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0, cacheWriteTokens = 0): Usage => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens,
  outputTokens,
  reasoningTokens: 0,
});
