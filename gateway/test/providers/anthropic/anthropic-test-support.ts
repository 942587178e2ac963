// Shared builders for the Anthropic provider tests.

import { readFileSync } from 'node:fs';
import type { CompiledBackend } from '@switchyard/compiler';
import type { BackendTarget } from '../../../src/unified/provider-codec.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { AnthropicStreamDecoder } from '../../../src/wire/anthropic-messages/anthropic-stream-decoder.js';
import { wireFixturePath } from '../../support/repo-paths.js';

const TEST_API_KEY = 'sk-ant-test-0123456789abcdefghij';

export function backendTarget(
  overrides: Partial<CompiledBackend> = {},
  defaultMaxTokens = 4096,
  apiKey: string | null = TEST_API_KEY,
): BackendTarget {
  const backend: CompiledBackend = {
    name: 'claude-main',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    baseURL: 'https://api.anthropic.com',
    credentials: [],
    priority: 0,
    weight: 1,
    ...overrides,
  };
  /* null: the backend has no credential */
  const credential = apiKey === null ? undefined : { ref: 'ai/anthropic/apiKey', weight: 1, apiKey };
  return { backend, credential, defaultMaxTokens };
}

export function chatRequest(overrides: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest {
  return {
    model: 'claude',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    stream: false,
    ...overrides,
  };
}

export function readFixtureJson(name: string): unknown {
  return JSON.parse(readFileSync(wireFixturePath('anthropic-messages', name), 'utf8'));
}

/** A chunks.txt capture as the SSE bytes Anthropic sends (`event: <type>` + `data: <json>`). */
export function captureAsSse(name: string): string {
  return readFileSync(wireFixturePath('anthropic-messages', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`)
    .join('');
}

export function sseFrames(events: Array<Record<string, unknown>>): string {
  return events.map((event) => `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/** Decodes SSE text split into chunks of `chunkSize` bytes (all at once when omitted). */
export function decodeSse(text: string, chunkSize?: number): UnifiedStreamEvent[] {
  const decoder = new AnthropicStreamDecoder(() => 1_700_000_000_000);
  const bytes = new TextEncoder().encode(text);
  const size = chunkSize ?? bytes.length;
  const events: UnifiedStreamEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) events.push(...decoder.push(bytes.subarray(offset, offset + size)));
  events.push(...decoder.end());
  return events;
}

export interface StreamSummary {
  id: string | undefined;
  model: string | undefined;
  text: string;
  reasoning: string;
  signature: string;
  redacted: string[];
  toolCalls: Array<{ index: number; id: string; name: string; arguments: string }>;
  finish: Extract<UnifiedStreamEvent, { type: 'finish' }> | undefined;
  usage: Extract<UnifiedStreamEvent, { type: 'usage' }>['usage'] | undefined;
}

export function summarizeStream(events: UnifiedStreamEvent[]): StreamSummary {
  const summary: StreamSummary = {
    id: undefined,
    model: undefined,
    text: '',
    reasoning: '',
    signature: '',
    redacted: [],
    toolCalls: [],
    finish: undefined,
    usage: undefined,
  };
  for (const event of events) {
    switch (event.type) {
      case 'response_start':
        summary.id = event.id;
        summary.model = event.model;
        break;
      case 'text_delta':
        summary.text += event.text;
        break;
      case 'reasoning_delta':
        summary.reasoning += event.text;
        break;
      case 'reasoning_signature':
        summary.signature += event.signature;
        break;
      case 'reasoning_redacted':
        summary.redacted.push(event.data);
        break;
      case 'tool_call_start':
        summary.toolCalls.push({ index: event.index, id: event.id, name: event.name, arguments: '' });
        break;
      case 'tool_call_delta': {
        const call = summary.toolCalls.find((candidate) => candidate.index === event.index);
        if (call === undefined) throw new Error(`tool_call_delta for index ${event.index} before its start`);
        call.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        summary.finish = event;
        break;
      case 'usage':
        summary.usage = event.usage;
        break;
    }
  }
  return summary;
}
