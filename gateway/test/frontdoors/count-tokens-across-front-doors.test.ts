// The same conversation gets the same token estimate whichever front door asks: Anthropic's
// count_tokens (official SDK), Gemini's countTokens (the REST body with systemInstruction), and
// the prompt tokens an OpenAI chat completion reports from the mock provider (official SDK). The
// number is also checked against the documented rule (one token per 4 bytes of UTF-8 over the
// whole conversation, no framing per message), computed here independently.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { documents, keyObjects, routeObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('counttokens');
const MODEL = 'counted';

interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

interface Conversation {
  system?: string;
  turns: Turn[];
}

const CONVERSATIONS: Array<[string, Conversation]> = [
  ['the issue example', { turns: [{ role: 'user', text: 'Hello, world' }] }],
  ['with a system prompt', { system: 'You are terse.', turns: [{ role: 'user', text: 'Name a colour.' }] }],
  [
    'several turns',
    {
      system: 'Answer in one word.',
      turns: [
        { role: 'user', text: 'Capital of France?' },
        { role: 'assistant', text: 'Paris.' },
        { role: 'user', text: 'And of Italy?' },
      ],
    },
  ],
  ['text in other scripts', { turns: [{ role: 'user', text: 'Grüße aus Köln, 日本語のテキスト' }] }],
  ['a longer prompt', { turns: [{ role: 'user', text: 'The quick brown fox jumps over the lazy dog. '.repeat(40) }] }],
];

function documentedEstimate(conversation: Conversation): number {
  const texts = [conversation.system ?? '', ...conversation.turns.map((turn) => turn.text)];
  return Math.ceil(texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0) / 4);
}

describe('token estimates across front doors', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({ name: MODEL, backends: [{ name: 'm', provider: 'mock', model: 'mock-model' }] }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  async function anthropicCount(conversation: Conversation): Promise<number> {
    const client = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0 });
    const counted = await client.messages.countTokens({
      model: MODEL,
      ...(conversation.system === undefined ? {} : { system: conversation.system }),
      messages: conversation.turns.map((turn) => ({ role: turn.role, content: turn.text })),
    });
    return counted.input_tokens;
  }

  async function geminiCount(conversation: Conversation): Promise<number> {
    const generateContentRequest: Record<string, unknown> = {
      contents: conversation.turns.map((turn) => ({ role: turn.role === 'assistant' ? 'model' : 'user', parts: [{ text: turn.text }] })),
    };
    if (conversation.system !== undefined) generateContentRequest.systemInstruction = { parts: [{ text: conversation.system }] };
    const response = await fetch(`${gateway.url}/genai/v1beta/models/${MODEL}:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
      body: JSON.stringify({ generateContentRequest }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { totalTokens: number }).totalTokens;
  }

  async function openAIPromptTokens(conversation: Conversation): Promise<number> {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [
        ...(conversation.system === undefined ? [] : [{ role: 'system' as const, content: conversation.system }]),
        ...conversation.turns.map((turn) => ({ role: turn.role, content: turn.text })),
      ],
    });
    return completion.usage?.prompt_tokens ?? -1;
  }

  it.each(CONVERSATIONS)('%s: the same number from every front door', async (_name, conversation) => {
    const counts = {
      anthropic: await anthropicCount(conversation),
      gemini: await geminiCount(conversation),
      openai: await openAIPromptTokens(conversation),
    };
    const expected = documentedEstimate(conversation);
    expect(counts).toEqual({ anthropic: expected, gemini: expected, openai: expected });
  });
});
