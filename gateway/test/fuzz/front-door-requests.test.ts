// Property: every front door's request decoder, fed the bytes a caller could send (as ingress
// hands them over: parsed, depth-checked, then decoded), either decodes or refuses with a
// GatewayError below 500, within a bounded time. Counting endpoints also estimate the decoded
// request without throwing. Every POST endpoint the front doors declare is covered.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { GatewayError } from '../../src/errors/gateway-error.js';
import type { FrontDoorEndpoint } from '../../src/frontdoors/front-door.js';
import { parseRequestBody } from '../../src/pipeline/ingress.js';
import { createFrontDoorRoutes } from '../../src/server/front-door-routes.js';
import type { FrontDoorContext } from '../../src/unified/front-door-codec.js';
import { decodeSpeechRequest, decodeTranscriptionRequest } from '../../src/wire/audio/index.js';
import { decodeMcpMessage, McpWireError } from '../../src/wire/mcp/index.js';
import { decodeBatchCreateRequest, decodeBatchInputFile } from '../../src/wire/openai-batch/index.js';
import { decodesOrRejectsTyped, decodesOrThrowsTyped, fuzzParameters, jsonInputs, type Json } from './fuzz-support.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SCHEMA: Json = {
  type: 'object',
  properties: {
    city: { type: 'string', enum: ['a', 'b'] },
    days: { type: 'integer', minimum: 1 },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['city'],
  $defs: { unit: { type: 'string' } },
};

const OPENAI_CHAT: Json[] = [
  {
    model: 'm',
    messages: [
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"city":"a"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ],
    tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: SCHEMA } }],
    tool_choice: { type: 'function', function: { name: 'f' } },
    response_format: { type: 'json_schema', json_schema: { name: 's', schema: SCHEMA, strict: true } },
    temperature: 0.5,
    max_completion_tokens: 100,
    stop: ['x'],
    stream: true,
    stream_options: { include_usage: true },
    reasoning_effort: 'low',
  },
  {
    model: 'm',
    messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: `data:application/pdf;base64,${PNG}`, filename: 'a.pdf' } }] }],
  },
];
const OPENAI_EMBEDDINGS: Json[] = [
  { model: 'e', input: ['a', 'b'], dimensions: 8, encoding_format: 'base64' },
  { model: 'e', input: 'one' },
];
const OPENAI_MODERATIONS: Json[] = [
  { model: 'mod', input: ['a', { type: 'text', text: 'b' }] },
  { model: 'mod', input: 'one' },
];
const IMAGES: Json[] = [
  { model: 'm', prompt: 'a lighthouse' },
  { model: 'm', prompt: 'a lighthouse', n: 2, size: '1024x1024', quality: 'hd', style: 'vivid', response_format: 'b64_json', user: 'u' },
  {
    model: 'm',
    prompt: 'p',
    size: 'auto',
    quality: 'high',
    output_format: 'webp',
    output_compression: 80,
    background: 'transparent',
    moderation: 'low',
  },
];
/** One line of a batch input file (the upload's file part, decoded as JSONL). */
const BATCH_LINE: Json[] = [
  {
    custom_id: 'a',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
  },
];
const BATCH_CREATE: Json[] = [
  { input_file_id: 'file-x', endpoint: '/v1/chat/completions', completion_window: '24h' },
  { input_file_id: 'file-x', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { team: 'a' } },
];

const RERANK: Json[] = [
  { model: 'rr', query: 'q', documents: ['a', 'b'], top_n: 1, return_documents: true, max_tokens_per_doc: 16 },
  { model: 'rr', query: 'q', documents: [{ text: 'a' }, 'b'] },
];
const SPEECH: Json[] = [
  { model: 'tts', input: 'hello', voice: 'alloy', response_format: 'wav', speed: 1.2, stream_format: 'sse' },
  { model: 'tts', input: 'hi', voice: { id: 'custom' }, instructions: 'calm' },
];
/** Audio uploads as form fields: `file` becomes a file part, every other value a text field. */
const AUDIO_FORM: Json[] = [
  { model: 'stt', file: 'audio bytes', language: 'en', response_format: 'verbose_json', 'timestamp_granularities[]': 'word' },
  { model: 'stt', file: 'x', response_format: 'text', stream: 'false', temperature: '0.2' },
];
const RESPONSES: Json[] = [
  {
    model: 'm',
    instructions: 'be brief',
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'hi' },
          { type: 'input_image', image_url: `data:image/png;base64,${PNG}` },
        ],
      },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      { role: 'assistant', content: [{ type: 'output_text', text: 'done' }] },
    ],
    tools: [{ type: 'function', name: 'f', parameters: SCHEMA, strict: true }],
    tool_choice: 'auto',
    text: { format: { type: 'json_schema', name: 's', schema: SCHEMA } },
    reasoning: { effort: 'low' },
    metadata: { a: 'b' },
    store: false,
    stream: true,
  },
  { model: 'm', input: 'hi', max_output_tokens: 50, parallel_tool_calls: false },
];
const ANTHROPIC: Json[] = [
  {
    model: 'm',
    max_tokens: 2048,
    system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hm', signature: 's' },
          { type: 'tool_use', id: 't1', name: 'f', input: { city: 'a' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }], is_error: false }] },
    ],
    tools: [{ name: 'f', description: 'd', input_schema: SCHEMA }],
    tool_choice: { type: 'tool', name: 'f' },
    thinking: { type: 'enabled', budget_tokens: 1024 },
    stop_sequences: ['x'],
    temperature: 1,
    stream: true,
  },
];
const GEMINI: Json[] = [
  {
    systemInstruction: { parts: [{ text: 'be brief' }] },
    contents: [
      { role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: PNG } }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { city: 'a' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { result: 'ok' } } }] },
    ],
    tools: [
      { functionDeclarations: [{ name: 'f', description: 'd', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] },
    ],
    toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
    generationConfig: {
      temperature: 0.5,
      maxOutputTokens: 100,
      stopSequences: ['x'],
      responseMimeType: 'application/json',
      responseJsonSchema: SCHEMA,
      thinkingConfig: { thinkingBudget: 128, includeThoughts: true },
    },
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
  },
];
const GEMINI_COUNT: Json[] = [
  ...GEMINI,
  { contents: [{ parts: [{ text: 'hi' }] }] },
  { generateContentRequest: { model: 'models/m', ...(GEMINI[0] as object) } },
];
const GEMINI_EMBED: Json[] = [{ content: { parts: [{ text: 'hi' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 8 }];
const GEMINI_BATCH_EMBED: Json[] = [
  {
    requests: [
      { model: 'models/m', content: { parts: [{ text: 'hi' }] } },
      { model: 'models/m', content: { parts: [{ text: 'b' }] } },
    ],
  },
];
const ANTHROPIC_COUNT: Json[] = ANTHROPIC;
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const MCP: Json[] = [
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
  },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'p__t', arguments: { city: 'a', days: 2 }, _meta: META } },
  { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'dDE6MTAw', _meta: META } },
  { jsonrpc: '2.0', id: 3, result: {} },
];

interface EndpointCase {
  name: string;
  /** The path the endpoint is reached at (for prefix endpoints, one concrete path). */
  path: string;
  templates: Json[];
}

const CASES: EndpointCase[] = [
  { name: 'OpenAI chat', path: '/v1/chat/completions', templates: OPENAI_CHAT },
  { name: 'OpenAI embeddings', path: '/v1/embeddings', templates: OPENAI_EMBEDDINGS },
  { name: 'OpenAI moderations', path: '/v1/moderations', templates: OPENAI_MODERATIONS },
  { name: 'rerank (v1 path)', path: '/v1/rerank', templates: RERANK },
  { name: 'files upload (a batch input line)', path: '/v1/files', templates: BATCH_LINE },
  { name: 'batches create', path: '/v1/batches', templates: BATCH_CREATE },
  { name: 'batches cancel (no body read)', path: '/v1/batches/batch_x/cancel', templates: BATCH_CREATE },
  { name: 'rerank (Cohere v2 path)', path: '/v2/rerank', templates: RERANK },
  { name: 'OpenAI image generations', path: '/v1/images/generations', templates: IMAGES },
  // The edit's text fields as form parts beside an image file (ingest below builds the form).
  { name: 'OpenAI image edits', path: '/v1/images/edits', templates: IMAGES },
  { name: 'audio speech', path: '/v1/audio/speech', templates: SPEECH },
  { name: 'audio transcriptions (form fields)', path: '/v1/audio/transcriptions', templates: AUDIO_FORM },
  { name: 'audio translations (form fields)', path: '/v1/audio/translations', templates: AUDIO_FORM },
  { name: 'OpenAI Responses', path: '/v1/responses', templates: RESPONSES },
  { name: 'Anthropic messages', path: '/anthropic/v1/messages', templates: ANTHROPIC },
  { name: 'Anthropic count_tokens', path: '/anthropic/v1/messages/count_tokens', templates: ANTHROPIC_COUNT },
  ...['v1beta', 'v1'].flatMap((version) => [
    { name: `Gemini ${version} generateContent`, path: `/genai/${version}/models/m:generateContent`, templates: GEMINI },
    { name: `Gemini ${version} streamGenerateContent`, path: `/genai/${version}/models/m:streamGenerateContent`, templates: GEMINI },
    { name: `Gemini ${version} countTokens`, path: `/genai/${version}/models/m:countTokens`, templates: GEMINI_COUNT },
    { name: `Gemini ${version} embedContent`, path: `/genai/${version}/models/m:embedContent`, templates: GEMINI_EMBED },
    { name: `Gemini ${version} batchEmbedContents`, path: `/genai/${version}/models/m:batchEmbedContents`, templates: GEMINI_BATCH_EMBED },
  ]),
  { name: 'MCP JSON-RPC message', path: '/mcp', templates: MCP },
];

const doors = createFrontDoorRoutes();

function endpointFor(path: string): { endpoint: FrontDoorEndpoint; context: FrontDoorContext } {
  for (const door of doors) {
    for (const endpoint of door.endpoints) {
      if (endpoint.method !== 'POST') continue;
      if (typeof endpoint.path === 'string') {
        if (endpoint.path === path) return { endpoint, context: { requestId: 'fuzz', keyId: 'default/k' } };
      } else if (path.startsWith(endpoint.path.prefix)) {
        const match = endpoint.path.match(path.slice(endpoint.path.prefix.length));
        if (match !== undefined) return { endpoint, context: { requestId: 'fuzz', keyId: 'default/k', ...match } };
      }
    }
  }
  throw new Error(`no POST endpoint serves ${path}`);
}

/** A parsed body as the multipart form a caller could post: `file` a file part, the rest text fields. */
function asForm(body: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (name === 'file') form.append(name, new File([Buffer.from(text)], 'a.mp3', { type: 'audio/mpeg' }));
    else form.append(name, text);
  }
  return form;
}

/** What ingress and the operation do with a body: parse, depth-check, decode (and estimate, for count-tokens). */
async function ingest(endpoint: FrontDoorEndpoint, context: FrontDoorContext, text: string): Promise<void> {
  const body = parseRequestBody(Buffer.from(text, 'utf8'));
  switch (endpoint.operation) {
    case 'chat':
      await endpoint.frontDoor.decodeChatRequest(body, { ...context });
      return;
    case 'embeddings':
      endpoint.frontDoor.decodeEmbeddingsRequest(body, { ...context });
      return;
    case 'moderations':
      endpoint.frontDoor.decodeModerationsRequest(body, { ...context });
      return;
    case 'rerank':
      endpoint.frontDoor.decodeRerankRequest(body, { ...context });
      return;
    case 'images': {
      if (endpoint.images === 'generate') {
        endpoint.frontDoor.decodeImageGenerationRequest(body);
        return;
      }
      const form = new FormData();
      for (const [name, value] of Object.entries(body)) form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
      form.append('image', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'a.png');
      await endpoint.frontDoor.decodeImageEditRequest(form);
      return;
    }
    case 'speech':
      decodeSpeechRequest(body);
      return;
    case 'transcriptions':
    case 'translations':
      await decodeTranscriptionRequest(asForm(body), endpoint.operation);
      return;
    case 'count-tokens': {
      const request = endpoint.codec.decodeCountTokensRequest(body, { ...context });
      const estimate = endpoint.codec.estimateInputTokens(request);
      expect(Number.isFinite(estimate) && estimate >= 0).toBe(true);
      return;
    }
    case 'mcp':
      decodeMcpMessage(body);
      return;
    case 'files':
      decodeBatchInputFile(text, 10);
      return;
    case 'batches':
      // cancel reads no body; create decodes one
      if (typeof endpoint.path === 'string') decodeBatchCreateRequest(body);
      return;
    default:
      throw new Error(`unexpected operation ${endpoint.operation}`);
  }
}

describe('front-door request decoders under fuzzing', () => {
  it('covers every POST endpoint the front doors declare', () => {
    const covered = new Set(CASES.map((c) => endpointFor(c.path).endpoint));
    const declared = doors.flatMap((door) => door.endpoints.filter((endpoint) => endpoint.method === 'POST'));
    expect(declared.filter((endpoint) => !covered.has(endpoint))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: decodes or refuses with a 4xx GatewayError', async (_name, endpointCase) => {
    const { endpoint, context } = endpointFor(endpointCase.path);
    // The templates themselves decode: the mutations start from a request that gets everywhere.
    for (const template of endpointCase.templates) await ingest(endpoint, context, JSON.stringify(template));
    await fc.assert(
      fc.asyncProperty(jsonInputs(endpointCase.templates), async (text) => {
        const error = await decodesOrRejectsTyped(() => ingest(endpoint, context, text), [GatewayError, McpWireError]);
        if (error instanceof GatewayError) expect(error.status).toBeLessThan(500);
      }),
      fuzzParameters(300),
    );
  });

  it('parses random bytes and deep nesting, or refuses them with a 400', () => {
    const deep = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'large', maxDepth: 300 },
        fc.constant(1),
        fc.array(tie('node'), { maxLength: 2 }),
        fc.record({ a: tie('node') }),
      ),
    })).node;
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      deep.map((node) => Buffer.from(JSON.stringify({ model: 'm', x: node }))),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const error = decodesOrThrowsTyped(() => parseRequestBody(body), [GatewayError]);
        if (error instanceof GatewayError) expect(error.status).toBe(400);
      }),
      fuzzParameters(500),
    );
  });
});
