// ModelRoute rules through the gateway with the OpenAI SDK (and the Anthropic front door): each
// rule feature sends matching requests to its backend, first match wins, and a request no rule
// matches uses every backend of the route (here: almost always `rest`, which weighs 1000000).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { API_VERSION, documents, keyObjects, mockBackend, openAIClient, postJson, testKey } from '../core/core-fixtures.js';
import { answeredBy, countBy, longText } from './routing-fixtures.js';

const key = testKey('rules');
const researchKey = testKey('rulesresearch');
const REPEAT = 4;

const RULES = [
  { name: 'short', match: { tags: ['short'], maxPromptTokens: 500, hasTools: false }, backends: ['small'] },
  { name: 'tags', match: { tags: ['classify', 'fast'] }, backends: ['tagged'] },
  { name: 'meta', match: { metadata: { task: 'extract' } }, backends: ['meta'] },
  { name: 'tools', match: { hasTools: true }, backends: ['tools'] },
  { name: 'images', match: { hasImages: true }, backends: ['vision'] },
  { name: 'schema', match: { jsonSchema: true }, backends: ['schema'] },
  { name: 'door', match: { frontDoors: ['anthropic'] }, backends: ['door'] },
  { name: 'labels', match: { keyLabels: { team: 'research' } }, backends: ['labelled'] },
  { name: 'big', match: { minPromptTokens: 2000 }, backends: ['big'] },
];

const TOOL: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: { name: 'lookup', description: 'Looks a word up', parameters: { type: 'object', properties: { word: { type: 'string' } } } },
};
const IMAGE_MESSAGE: OpenAI.Chat.ChatCompletionMessageParam = {
  role: 'user',
  content: [
    { type: 'text', text: 'what is this?' },
    {
      type: 'image_url',
      image_url: {
        url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      },
    },
  ],
};

interface Case {
  name: string;
  body: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming>;
  headers?: Record<string, string>;
  expected: string;
}

const CASES: Case[] = [
  { name: 'no rule matches', body: {}, expected: 'rest' },
  { name: 'tag and small prompt without tools', body: {}, headers: { 'x-switchyard-tags': 'short' }, expected: 'small' },
  {
    name: 'tag but a prompt over maxPromptTokens falls to a later rule',
    body: { messages: [{ role: 'user', content: longText(3000) }] },
    headers: { 'x-switchyard-tags': 'short' },
    expected: 'big',
  },
  { name: 'tag but tools: hasTools false fails', body: { tools: [TOOL] }, headers: { 'x-switchyard-tags': 'short' }, expected: 'tools' },
  { name: 'every tag of the rule', body: {}, headers: { 'x-switchyard-tags': ' fast , classify,other' }, expected: 'tagged' },
  { name: 'only one of two tags', body: {}, headers: { 'x-switchyard-tags': 'classify' }, expected: 'rest' },
  {
    name: 'first match wins (tags before tools)',
    body: { tools: [TOOL] },
    headers: { 'x-switchyard-tags': 'classify,fast' },
    expected: 'tagged',
  },
  { name: 'body metadata', body: { metadata: { task: 'extract', other: 'x' } }, expected: 'meta' },
  { name: 'other metadata value', body: { metadata: { task: 'summarize' } }, expected: 'rest' },
  { name: 'tools', body: { tools: [TOOL] }, expected: 'tools' },
  { name: 'images', body: { messages: [IMAGE_MESSAGE] }, expected: 'vision' },
  {
    name: 'JSON-schema output',
    body: {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    },
    expected: 'schema',
  },
  { name: 'JSON mode is not JSON-schema output', body: { response_format: { type: 'json_object' } }, expected: 'rest' },
  { name: 'minPromptTokens', body: { messages: [{ role: 'user', content: longText(3000) }] }, expected: 'big' },
];

describe('routing rules', () => {
  let gateway: GatewayProcess;
  let client: OpenAI;

  beforeAll(async () => {
    const others = ['small', 'tagged', 'meta', 'tools', 'vision', 'schema', 'door', 'labelled', 'big'].map((name) => mockBackend(name));
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          ...keyObjects({ name: 'research', key: researchKey, labels: { team: 'research' } }),
          {
            apiVersion: API_VERSION,
            kind: 'ModelRoute',
            metadata: { name: 'ruled', namespace: 'default' },
            spec: { model: 'ruled', rules: RULES, backends: [...others, mockBackend('rest', { weight: 1_000_000 })] },
          },
        ),
      },
    });
    client = openAIClient(gateway, key);
  });
  afterAll(async () => gateway?.stop());

  it.each(CASES)('$name -> $expected', async ({ body, headers, expected }) => {
    const answered: string[] = [];
    for (let i = 0; i < REPEAT; i++) {
      answered.push(await answeredBy(client, { model: 'ruled', messages: [{ role: 'user', content: 'hello' }], ...body }, headers));
    }
    expect(countBy(answered)).toEqual({ [expected]: REPEAT });
  });

  it('matches the front door the caller spoke', async () => {
    for (let i = 0; i < REPEAT; i++) {
      const response = await postJson(
        gateway,
        '/anthropic/v1/messages',
        undefined,
        { model: 'ruled', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] },
        { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-switchyard-backend')).toBe('door');
    }
  });

  it('matches the metadata of a Responses API request', async () => {
    for (let i = 0; i < REPEAT; i++) {
      const { response } = await client.responses
        .create({ model: 'ruled', input: 'hello', store: false, metadata: { task: 'extract' } })
        .withResponse();
      expect(response.headers.get('x-switchyard-backend')).toBe('meta');
    }
  });

  it("matches the calling key's labels", async () => {
    const research = openAIClient(gateway, researchKey);
    for (let i = 0; i < REPEAT; i++)
      expect(await answeredBy(research, { model: 'ruled', messages: [{ role: 'user', content: 'hi' }] })).toBe('labelled');
  });

  it('names the matched rule in the request log line', async () => {
    await answeredBy(client, { model: 'ruled', messages: [{ role: 'user', content: 'hi' }], metadata: { task: 'extract' } });
    const lines = gateway
      .logs()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"') && line.includes('"backend":"meta"'));
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[lines.length - 1] as string)).toMatchObject({ rule: 'meta', backend: 'meta' });
  });
});
