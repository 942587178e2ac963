// Helpers shared by the OpenAI-family adapter tests.

import { readFileSync } from 'node:fs';
import type { CompiledBackend, Usage } from '@switchyard/compiler';
import type { BackendTarget, StreamDecoder } from '../../../src/unified/provider-codec.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { wireFixturePath } from '../../support/repo-paths.js';

/** `apiKey: null` means a backend without credentials (local servers). */
export function backendTarget(
  backend: Partial<CompiledBackend> = {},
  apiKey: string | null = 'sk-test-upstream-key-000000000000',
): BackendTarget {
  return {
    backend: {
      name: 'openai-main',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      baseURL: 'https://api.openai.com/v1',
      credentials: [],
      priority: 0,
      weight: 1,
      ...backend,
    },
    credential: apiKey === null ? undefined : { ref: 'default/openai/apiKey', weight: 1, apiKey },
    defaultMaxTokens: 4096,
  };
}

export function readJsonFixture(name: string): unknown {
  return JSON.parse(readFileSync(wireFixturePath('openai-chat', `${name}.json`), 'utf8')) as unknown;
}

/** A chunks.txt capture framed as OpenAI frames it on the wire, `[DONE]` included. */
export function captureAsSse(name: string, done = true): string {
  const lines = readFileSync(wireFixturePath('openai-chat', `${name}.chunks.txt`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.map((line) => `data: ${line}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
}

/** Feeds text through a decoder in slices of `sliceBytes` (exercising split frames and UTF-8). */
export function decodeAll(decoder: StreamDecoder, text: string, sliceBytes = 0): UnifiedStreamEvent[] {
  const bytes = new TextEncoder().encode(text);
  const events: UnifiedStreamEvent[] = [];
  if (sliceBytes <= 0) events.push(...decoder.push(bytes));
  else for (let i = 0; i < bytes.length; i += sliceBytes) events.push(...decoder.push(bytes.subarray(i, i + sliceBytes)));
  events.push(...decoder.end());
  return events;
}

export interface StreamSummary {
  text: string;
  reasoning: string;
  toolCalls: Array<{ index: number; id: string; name: string; arguments: string }>;
  finishReasons: string[];
  usages: Usage[];
  starts: number;
}

export function summarize(events: UnifiedStreamEvent[]): StreamSummary {
  const summary: StreamSummary = { text: '', reasoning: '', toolCalls: [], finishReasons: [], usages: [], starts: 0 };
  for (const event of events) {
    switch (event.type) {
      case 'response_start':
        summary.starts++;
        break;
      case 'text_delta':
        summary.text += event.text;
        break;
      case 'reasoning_delta':
        summary.reasoning += event.text;
        break;
      case 'tool_call_start':
        summary.toolCalls.push({ index: event.index, id: event.id, name: event.name, arguments: '' });
        break;
      case 'tool_call_delta': {
        const call = summary.toolCalls.find((c) => c.index === event.index);
        if (!call) throw new Error(`tool_call_delta for index ${event.index} before its start`);
        call.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        summary.finishReasons.push(event.finishReason);
        break;
      case 'usage':
        summary.usages.push(event.usage);
        break;
      default:
        break;
    }
  }
  return summary;
}
