// One row per front door, each driven by its official SDK, for the table-driven guardrail tests:
// OpenAI Chat Completions and Responses (openai), Anthropic Messages (@anthropic-ai/sdk) and
// Gemini (@google/genai). `whole` asks for one answer and returns its text; `stream` collects the
// text deltas as they came and the error the SDK raised on the front door's error event, if any.
import type { GatewayProcess } from '../support/gateway-process.js';
import { anthropicClient, geminiClient, openAIClient } from './guardrail-fixtures.js';

interface StreamOutcome {
  deltas: string[];
  /** What the SDK threw while reading the stream (the front door's error event); undefined if it ended cleanly. */
  error: unknown;
}

export interface FrontDoorDriver {
  name: string;
  whole(gateway: GatewayProcess, key: string, prompt: string): Promise<string>;
  stream(gateway: GatewayProcess, key: string, prompt: string): Promise<StreamOutcome>;
}

async function collect(deltas: string[], read: () => Promise<void>): Promise<StreamOutcome> {
  try {
    await read();
    return { deltas, error: undefined };
  } catch (error) {
    return { deltas, error };
  }
}

export const FRONT_DOORS: readonly FrontDoorDriver[] = [
  {
    name: 'openai chat',
    async whole(gateway, key, prompt) {
      const answer = await openAIClient(gateway, key).chat.completions.create({
        model: 'chat',
        messages: [{ role: 'user', content: prompt }],
      });
      return answer.choices[0]?.message.content ?? '';
    },
    async stream(gateway, key, prompt) {
      const deltas: string[] = [];
      const stream = await openAIClient(gateway, key).chat.completions.create({
        model: 'chat',
        stream: true,
        messages: [{ role: 'user', content: prompt }],
      });
      return collect(deltas, async () => {
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta.content;
          if (delta) deltas.push(delta);
        }
      });
    },
  },
  {
    name: 'openai responses',
    async whole(gateway, key, prompt) {
      const answer = await openAIClient(gateway, key).responses.create({ model: 'chat', input: prompt });
      return answer.output_text;
    },
    async stream(gateway, key, prompt) {
      const deltas: string[] = [];
      const stream = await openAIClient(gateway, key).responses.create({ model: 'chat', input: prompt, stream: true });
      return collect(deltas, async () => {
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') deltas.push(event.delta);
          // The Responses stream's own error event; the SDK hands it over as an event.
          if (event.type === 'error') throw new Error(`${event.code ?? ''}: ${event.message}`);
          if (event.type === 'response.failed')
            throw new Error(`${event.response.error?.code ?? ''}: ${event.response.error?.message ?? ''}`);
        }
      });
    },
  },
  {
    name: 'anthropic',
    async whole(gateway, key, prompt) {
      const answer = await anthropicClient(gateway, key).messages.create({
        model: 'chat',
        max_tokens: 100,
        messages: [{ role: 'user', content: prompt }],
      });
      return answer.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    },
    async stream(gateway, key, prompt) {
      const deltas: string[] = [];
      const stream = anthropicClient(gateway, key).messages.stream({
        model: 'chat',
        max_tokens: 100,
        messages: [{ role: 'user', content: prompt }],
      });
      return collect(deltas, async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') deltas.push(event.delta.text);
        }
      });
    },
  },
  {
    name: 'gemini',
    async whole(gateway, key, prompt) {
      const answer = await geminiClient(gateway, key).models.generateContent({ model: 'chat', contents: prompt });
      return answer.text ?? '';
    },
    async stream(gateway, key, prompt) {
      const deltas: string[] = [];
      const stream = await geminiClient(gateway, key).models.generateContentStream({ model: 'chat', contents: prompt });
      return collect(deltas, async () => {
        for await (const chunk of stream) {
          const text = chunk.text;
          if (text) deltas.push(text);
        }
      });
    },
  },
];

/** The message of whatever an SDK threw, with the status where it has one. */
export function errorText(error: unknown): string {
  if (error === undefined) return '';
  const status = (error as { status?: unknown }).status;
  return `${typeof status === 'number' ? `${status} ` : ''}${String((error as Error).message ?? error)}`;
}
