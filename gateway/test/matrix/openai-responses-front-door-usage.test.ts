// The one shared feature the Responses front door's cross-backend table does not name:
// `usage carried exactly`. Each provider's driver scripts an answer whose usage has cached,
// cache-write and reasoning counts where that provider reports them; the Responses usage object
// must carry every count, in a plain response and in the streamed `response.completed`.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import {
  APP_KEY,
  startResponsesTestBed,
  type BackendDriver,
  type BackendLabel,
  type ResponsesTestBed,
} from '../frontdoors/openai-responses/responses-backend-drivers.js';

const PROVIDERS = ['mock', 'openai', 'anthropic', 'gemini', 'bedrock'] as const;

let bed: ResponsesTestBed;
let client: OpenAI;

beforeAll(async () => {
  bed = await startResponsesTestBed();
  client = new OpenAI({ baseURL: `${bed.gateway.url}/v1`, apiKey: APP_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

describe.each(PROVIDERS)('openai-responses front door x %s provider', (provider) => {
  let driver: BackendDriver;
  beforeEach(() => {
    driver = bed.driver(`${provider} provider` as BackendLabel);
    driver.reset();
  });

  it(`openai-responses front door x ${provider} provider: usage carried exactly`, async () => {
    const question = 'Count my tokens, please.';
    const plain = driver.replyText(question, [question]);
    const data = await client.responses.create({ model: driver.model, input: question });
    expect(data.output_text).toBe(plain.text);
    expect(data.usage).toEqual(plain.usage);

    const streamed = driver.replyText(question, [question]);
    const stream = await client.responses.create({ model: driver.model, input: question, stream: true });
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe(streamed.text);
    expect(completed?.usage).toEqual(streamed.usage);
  });
});
