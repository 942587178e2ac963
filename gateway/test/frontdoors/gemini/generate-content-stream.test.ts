// @google/genai generateContentStream through the Gemini front door (`alt=sse`), and the JSON
// array framing Google uses when `alt` is left out, to every backend family.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  cellName,
  expectedUsageMetadata,
  modelFor,
  mockProviderUsage,
  providersInTree,
  scriptText,
  startRig,
  VIRTUAL_KEY,
  type Rig,
} from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

describe.each(providersInTree())('streamGenerateContent', (provider) => {
  it(cellName(provider, 'streamed text (alt=sse): chunks add up, the last one carries STOP and usage'), async () => {
    const prompt = 'Count to five.';
    const usage = { input: 9, cached: 0, output: 12, reasoning: 0 };
    const expectedText = scriptText(rig, provider, 'One, two, three, four, five.', usage, prompt);

    const stream = await rig.client.models.generateContentStream({ model: modelFor(provider), contents: prompt });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.text ?? '';
    }
    expect(text).toBe(expectedText);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(chunk.modelVersion).toBe(modelFor(provider));
    const last = chunks[chunks.length - 1];
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata).toEqual(expectedUsageMetadata(provider === 'mock' ? mockProviderUsage(prompt, expectedText) : usage));
    expect(chunks.slice(0, -1).every((chunk) => chunk.candidates?.[0]?.finishReason === undefined)).toBe(true);
  });

  it(cellName(provider, 'no chunk carries an empty text part: STOP and usage ride on the last text'), async () => {
    const prompt = 'Name three colours.';
    const usage = { input: 6, cached: 0, output: 5, reasoning: 0 };
    const expectedText = scriptText(rig, provider, 'Red, green and blue.', usage, prompt);

    const stream = await rig.client.models.generateContentStream({ model: modelFor(provider), contents: prompt });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
    expect(parts.filter((part) => part.text === '')).toEqual([]);
    expect(parts.map((part) => part.text ?? '').join('')).toBe(expectedText);
    const last = chunks[chunks.length - 1]?.candidates?.[0];
    expect(last?.finishReason).toBe('STOP');
    expect(last?.content?.parts?.[0]?.text).not.toBe('');
  });

  it(cellName(provider, "a streamed chat turn stays in the SDK's curated history"), async () => {
    const prompt = 'Say hello.';
    const usage = { input: 4, cached: 0, output: 2, reasoning: 0 };
    const expectedText = scriptText(rig, provider, 'Hello there.', usage, prompt);

    const chat = rig.client.chats.create({ model: modelFor(provider) });
    let text = '';
    for await (const chunk of await chat.sendMessageStream({ message: prompt })) text += chunk.text ?? '';
    expect(text).toBe(expectedText);
    // The SDK keeps a streamed turn only when every chunk holds a usable part.
    const history = chat.getHistory(true);
    expect(history.map((content) => content.role)).toEqual(['user', ...history.slice(1).map(() => 'model')]);
    expect(history.length).toBeGreaterThan(1);
    const kept = history.slice(1).flatMap((content) => content.parts ?? []);
    expect(kept.map((part) => part.text ?? '').join('')).toBe(expectedText);
    expect(kept.filter((part) => part.text === '')).toEqual([]);
  });

  it(cellName(provider, 'streamed text without alt: one JSON array of GenerateContentResponse chunks'), async () => {
    const prompt = 'Say hi.';
    const usage = { input: 5, cached: 0, output: 3, reasoning: 0 };
    const expectedText = scriptText(rig, provider, 'Hi there.', usage, prompt);

    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor(provider)}:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': VIRTUAL_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const chunks = JSON.parse(await response.text()) as Array<{
      candidates?: Array<{ content?: { parts?: Array<{ text?: string }> }; finishReason?: string }>;
      usageMetadata?: unknown;
    }>;
    expect(Array.isArray(chunks)).toBe(true);
    const text = chunks.map((c) => (c.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('')).join('');
    expect(text).toBe(expectedText);
    expect(chunks[chunks.length - 1]?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks[chunks.length - 1]?.usageMetadata).toEqual(
      expectedUsageMetadata(provider === 'mock' ? mockProviderUsage(prompt, expectedText) : usage),
    );
  });
});

describe('streamGenerateContent framing', () => {
  it("gemini front door x any provider: alt=proto is a 400 naming alt, in Google's shape", async () => {
    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor('mock')}:streamGenerateContent?alt=proto`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': VIRTUAL_KEY },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: number; status: string; message: string; details?: Array<Record<string, unknown>> };
    };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).toContain('alt');
    expect(body.error.details).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'alt', description: body.error.message }],
    });
  });
});
