// A loopback OpenAI API for tests, speaking the real wire format (JSON bodies, SSE streams with
// `data: ` framing and a final `data: [DONE]`, OpenAI's error bodies and headers).
//
//   const mock = await startOpenAIMockServer();            // accepts Bearer OPENAI_MOCK_API_KEY
//   backend baseURL = `${mock.url}/v1`                      // the gateway adds /chat/completions
//   Azure backends: baseURL = mock.url (it serves /openai/deployments/{d}/chat/completions?api-version=..,
//   with the `api-key` header)
//   mock.script(reply, ...)                                 // answers for the next requests, in order
//   mock.setDefaultReply(reply | (request) => reply)        // when the script is empty
//   mock.requests                                           // everything received (method, url, headers, json)
//   mock.chatRequests / mock.embeddingRequests              // parsed bodies of accepted requests
//   mock.reset(); await mock.close();
//
// Default answer (empty script): a chat completion whose text is `mock:<model>: <last user text>`
// (usage 10 prompt / 5 completion tokens); if the request has tools and its last message is not
// a tool result, a call to the first tool (and the second one too when there are two or more
// tools and parallel_tool_calls is not false) with arguments {"input": "<last user text>"}.
// Streams send that as OpenAI does: a role chunk, content in pieces, tool calls as id+name then
// argument pieces, a finish chunk, a usage chunk when stream_options.include_usage, [DONE].
// Embeddings: a deterministic 8-float vector per input (or `dimensions` floats), base64 when
// encoding_format is "base64". GET /v1/models lists `mock-model`.
//
// Like the real API it answers 401 (invalid_api_key) for a missing or wrong key, 400 for a body
// without model/messages, 404 for unknown paths, and 400 for Azure paths without api-version.
// Pass `{ apiKey: null }` to accept any key.
//
// Replies (OpenAIMockReply), each with the common options below:
//   { capture: 'openai-text' }        replays __fixtures__/<name>.json, or <name>.chunks.txt on a
//                                     stream (one data payload per line), from providers/openai
//                                     or providers/openai-compatible (deepseek-*, groq-*, mistral-*)
//   { content?, toolCalls?: [{id?, name, arguments}], reasoning?, finishReason?, usage?, model?, id? }
//                                     builds the JSON answer and the chunk sequence
//   { completion: {...} }             this exact JSON body (status 200)
//   { chunks: [{...} | 'raw'], done? } these exact stream payloads, then [DONE] unless done: false
//   { error: { status, message, type?, code?, param? } }  an OpenAI error answer
//   { status, rawBody, contentType? } any status with this exact body (non-JSON errors from proxies)
// Common options:
//   delayMs            wait before the status line (first-byte timeouts, slow upstreams)
//   firstChunkDelayMs  wait after the headers, before the first stream chunk
//   chunkDelayMs       wait between stream chunks
//   headers            extra response headers; retryAfter / retryAfterMs set `retry-after(-ms)`
//   cutAfterChunks     stop a stream after this many chunks, without finish or [DONE]
//   cutMode            'end' (clean close, the default) or 'destroy' (connection reset)
//   errorAfterChunks   { after, message, type?, code? }: send `data: {"error": ...}` after that
//                      many chunks, then close (no [DONE]), as OpenAI does on a mid-stream failure

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { isRecord } from '@switchyard/compiler';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';
import { wireFixturePath } from '../support/repo-paths.js';

export const OPENAI_MOCK_API_KEY = 'sk-mock-openai-0123456789abcdefghij';

interface OpenAIMockReplyOptions {
  delayMs?: number;
  firstChunkDelayMs?: number;
  chunkDelayMs?: number;
  headers?: Record<string, string>;
  retryAfter?: string;
  retryAfterMs?: string;
  cutAfterChunks?: number;
  cutMode?: 'end' | 'destroy';
  errorAfterChunks?: { after: number; message: string; type?: string; code?: string };
}

interface OpenAIMockUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}

interface OpenAIMockToolCall {
  id?: string;
  name: string;
  arguments: string;
}

type OpenAIMockReply = OpenAIMockReplyOptions &
  (
    | { capture: string }
    | {
        content?: string | null;
        toolCalls?: OpenAIMockToolCall[];
        reasoning?: string;
        finishReason?: string;
        usage?: OpenAIMockUsage;
        model?: string;
        id?: string;
      }
    | { completion: unknown }
    | { chunks: unknown[]; done?: boolean }
    | { error: { status: number; message: string; type?: string; code?: string | null; param?: string | null } }
    | { status: number; rawBody: string; contentType?: string }
  );

type OpenAIMockReplySource = OpenAIMockReply | ((request: RecordedRequest) => OpenAIMockReply);

export interface OpenAIMockServer {
  /** `http://127.0.0.1:<port>`; OpenAI-style backends use `${url}/v1`. */
  url: string;
  /** Every request received, including refused ones. */
  requests: RecordedRequest[];
  /** Parsed bodies of accepted chat completion requests. */
  chatRequests: Array<Record<string, unknown>>;
  /** Parsed bodies of accepted embeddings requests. */
  embeddingRequests: Array<Record<string, unknown>>;
  /** Queues answers for the next requests, in order. */
  script(...replies: OpenAIMockReply[]): void;
  setDefaultReply(reply: OpenAIMockReplySource): void;
  /** Clears recorded requests and the script; restores the default reply. */
  reset(): void;
  close(): Promise<void>;
}

export interface OpenAIMockServerOptions {
  /** The accepted key (Bearer or Azure `api-key`); null accepts any. Default OPENAI_MOCK_API_KEY. */
  apiKey?: string | null;
  defaultReply?: OpenAIMockReplySource;
}

type Kind = 'chat' | 'embeddings';

export async function startOpenAIMockServer(options: OpenAIMockServerOptions = {}): Promise<OpenAIMockServer> {
  const apiKey = options.apiKey === undefined ? OPENAI_MOCK_API_KEY : options.apiKey;
  let defaultReply: OpenAIMockReplySource | undefined = options.defaultReply;
  const queue: OpenAIMockReply[] = [];
  const chatRequests: Array<Record<string, unknown>> = [];
  const embeddingRequests: Array<Record<string, unknown>> = [];
  let counter = 0;

  const server: MockHttpServer = await startMockHttpServer(async (request, res) => {
    const sequence = ++counter;
    const requestId = `req_mock_${sequence}`;
    const route = routeOf(request);
    if (route === 'models') {
      sendJson(
        res,
        200,
        { object: 'list', data: [{ id: 'mock-model', object: 'model', created: 1700000000, owned_by: 'switchyard-mock' }] },
        requestId,
      );
      return;
    }
    const refusal = checkRequest(request, route, apiKey);
    if (refusal) {
      sendError(
        res,
        refusal.status,
        { message: refusal.message, type: refusal.type, code: refusal.code ?? null, param: refusal.param ?? null },
        requestId,
      );
      return;
    }
    const body = request.json as Record<string, unknown>;
    const kind = route as Kind;
    (kind === 'chat' ? chatRequests : embeddingRequests).push(body);
    const source = queue.shift() ?? defaultReply;
    const reply = source === undefined ? undefined : typeof source === 'function' ? source(request) : source;
    await answer(res, reply, kind, body, requestId, sequence);
  });

  return {
    url: server.url,
    requests: server.requests,
    chatRequests,
    embeddingRequests,
    script: (...replies) => {
      queue.push(...replies);
    },
    setDefaultReply: (reply) => {
      defaultReply = reply;
    },
    reset: () => {
      server.requests.length = 0;
      chatRequests.length = 0;
      embeddingRequests.length = 0;
      queue.length = 0;
      defaultReply = options.defaultReply;
    },
    close: () => server.close(),
  };
}

type Route = Kind | 'models' | 'unknown';

function routeOf(request: RecordedRequest): Route {
  const path = request.url.split('?')[0] ?? '';
  if (request.method === 'GET' && path.endsWith('/models')) return 'models';
  if (request.method !== 'POST') return 'unknown';
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/embeddings')) return 'embeddings';
  return 'unknown';
}

interface Refusal {
  status: number;
  type: string;
  message: string;
  code?: string;
  param?: string;
}

function checkRequest(request: RecordedRequest, route: Route, apiKey: string | null): Refusal | undefined {
  const [path = '', query = ''] = request.url.split('?');
  if (route === 'unknown') return { status: 404, type: 'invalid_request_error', message: `Invalid URL (${request.method} ${path})` };
  const azure = path.startsWith('/openai/deployments/');
  if (azure && !/(^|&)api-version=/.test(query)) {
    return {
      status: 400,
      type: 'invalid_request_error',
      message: 'Missing required query parameter: api-version',
      code: 'missing_api_version',
    };
  }
  if (apiKey !== null) {
    const presented = azure ? headerValue(request, 'api-key') : bearer(headerValue(request, 'authorization'));
    if (presented === undefined) {
      return { status: 401, type: 'invalid_request_error', message: "You didn't provide an API key.", code: 'invalid_api_key' };
    }
    if (presented !== apiKey) {
      return {
        status: 401,
        type: 'invalid_request_error',
        message: `Incorrect API key provided: ${maskKey(presented)}.`,
        code: 'invalid_api_key',
      };
    }
  }
  const body = request.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, type: 'invalid_request_error', message: 'We could not parse the JSON body of your request.' };
  }
  const fields = body as Record<string, unknown>;
  if (!azure && typeof fields['model'] !== 'string') {
    return { status: 400, type: 'invalid_request_error', message: "Missing required parameter: 'model'.", param: 'model' };
  }
  if (route === 'chat' && !Array.isArray(fields['messages'])) {
    return { status: 400, type: 'invalid_request_error', message: "Missing required parameter: 'messages'.", param: 'messages' };
  }
  if (route === 'embeddings' && fields['input'] === undefined) {
    return { status: 400, type: 'invalid_request_error', message: "Missing required parameter: 'input'.", param: 'input' };
  }
  return undefined;
}

async function answer(
  res: ServerResponse,
  reply: OpenAIMockReply | undefined,
  kind: Kind,
  body: Record<string, unknown>,
  requestId: string,
  sequence: number,
): Promise<void> {
  const options: OpenAIMockReplyOptions = reply ?? {};
  if (options.delayMs !== undefined && options.delayMs > 0) await sleep(options.delayMs);
  if (res.destroyed) return;
  const headers = replyHeaders(options, requestId);
  const stream = kind === 'chat' && body['stream'] === true;

  if (reply && 'error' in reply) {
    const { status, ...error } = reply.error;
    sendError(
      res,
      status,
      { message: error.message, type: error.type ?? 'invalid_request_error', code: error.code ?? null, param: error.param ?? null },
      requestId,
      headers,
    );
    return;
  }
  if (reply && 'rawBody' in reply) {
    res.writeHead(reply.status, { ...headers, 'content-type': reply.contentType ?? 'text/plain' });
    res.end(reply.rawBody);
    return;
  }
  if (reply && 'completion' in reply) {
    sendJson(res, 200, reply.completion, requestId, headers);
    return;
  }
  if (reply && 'chunks' in reply) {
    const payloads = reply.chunks.map((chunk) => (typeof chunk === 'string' ? chunk : JSON.stringify(chunk)));
    await sendStream(res, payloads, reply.done !== false, options, headers);
    return;
  }
  if (reply && 'capture' in reply) {
    if (stream) await sendStream(res, readCaptureChunks(reply.capture), true, options, headers);
    else sendRaw(res, 200, readFileSync(capturePath(`${reply.capture}.json`), 'utf8'), headers);
    return;
  }
  if (kind === 'embeddings') {
    sendJson(res, 200, embeddingsFor(body), requestId, headers);
    return;
  }
  // A reply with only options (delays, cuts) answers with the default content.
  const built: BuiltReply = reply && ('content' in reply || 'toolCalls' in reply) ? reply : { ...defaultCompletionReply(body), ...reply };
  const completion = completionFor(built, body, sequence);
  if (stream) {
    const includeUsage = isRecord(body['stream_options']) && body['stream_options']['include_usage'] === true;
    await sendStream(
      res,
      chunksFor(completion, includeUsage).map((c) => JSON.stringify(c)),
      true,
      options,
      headers,
    );
  } else {
    sendJson(res, 200, completion, requestId, headers);
  }
}

function replyHeaders(options: OpenAIMockReplyOptions, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...options.headers };
  if (options.retryAfter !== undefined) headers['retry-after'] = options.retryAfter;
  if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = options.retryAfterMs;
  return headers;
}

/** OpenAI's captures and the compatible providers' share the Chat Completions wire folder. */
function capturePath(file: string): string {
  return wireFixturePath('openai-chat', file);
}

/** A chunks.txt capture: one SSE data payload per line. */
function readCaptureChunks(name: string): string[] {
  return readFileSync(capturePath(`${name}.chunks.txt`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

async function sendStream(
  res: ServerResponse,
  payloads: string[],
  done: boolean,
  options: OpenAIMockReplyOptions,
  headers: Record<string, string>,
): Promise<void> {
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  // Headers go out now, so a client sees the status before a slow first chunk.
  res.flushHeaders();
  if (options.firstChunkDelayMs !== undefined && options.firstChunkDelayMs > 0) await sleep(options.firstChunkDelayMs);
  for (let sent = 0; sent <= payloads.length; sent++) {
    if (res.destroyed) return;
    const injected = options.errorAfterChunks;
    if (injected !== undefined && injected.after === sent) {
      const error = {
        error: { message: injected.message, type: injected.type ?? 'server_error', code: injected.code ?? null, param: null },
      };
      res.write(`data: ${JSON.stringify(error)}\n\n`);
      res.end();
      return;
    }
    if (options.cutAfterChunks !== undefined && options.cutAfterChunks === sent) {
      if (options.cutMode === 'destroy') res.destroy();
      else res.end();
      return;
    }
    const payload = payloads[sent];
    if (payload === undefined) break;
    res.write(`data: ${payload}\n\n`);
    if (options.chunkDelayMs !== undefined && options.chunkDelayMs > 0) await sleep(options.chunkDelayMs);
  }
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

type BuiltReply = Extract<OpenAIMockReply, { toolCalls?: unknown; content?: unknown }>;

function defaultCompletionReply(body: Record<string, unknown>): BuiltReply {
  const model = typeof body['model'] === 'string' ? body['model'] : 'mock-model';
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const last = messages[messages.length - 1];
  const lastText = lastUserText(messages);
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isRecord) : [];
  const answeringTool = isRecord(last) && last['role'] === 'tool';
  if (tools.length > 0 && !answeringTool && body['tool_choice'] !== 'none') {
    const count = tools.length >= 2 && body['parallel_tool_calls'] !== false ? 2 : 1;
    return {
      content: null,
      toolCalls: tools.slice(0, count).map((tool) => ({
        name: isRecord(tool['function']) && typeof tool['function']['name'] === 'string' ? tool['function']['name'] : 'tool',
        arguments: JSON.stringify({ input: lastText }),
      })),
    };
  }
  const format = isRecord(body['response_format']) ? body['response_format']['type'] : undefined;
  if (format === 'json_object' || format === 'json_schema') return { content: JSON.stringify({ reply: `mock:${model}: ${lastText}` }) };
  return { content: `mock:${model}: ${lastText}` };
}

function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isRecord(message) || (message['role'] !== 'user' && message['role'] !== 'tool')) continue;
    const content = message['content'];
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
      return content
        .filter(isRecord)
        .map((part) => (part['type'] === 'text' ? String(part['text']) : `[${String(part['type'])}]`))
        .join(' ');
    }
  }
  return '';
}

interface MockCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; message: Record<string, unknown>; logprobs: null; finish_reason: string }>;
  usage: Record<string, unknown>;
  system_fingerprint: string;
}

function completionFor(reply: BuiltReply, body: Record<string, unknown>, sequence: number): MockCompletion {
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_mock_${sequence}_${i}`,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  const message: Record<string, unknown> = { role: 'assistant', content: reply.content ?? null, refusal: null, annotations: [] };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  if (reply.reasoning !== undefined) message['reasoning_content'] = reply.reasoning;
  const usage = reply.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  return {
    id: reply.id ?? `chatcmpl-mock${sequence}`,
    object: 'chat.completion',
    created: 1_750_000_000 + sequence,
    model: reply.model ?? (typeof body['model'] === 'string' ? body['model'] : 'mock-model'),
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop') }],
    usage: {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: usage.reasoning_tokens ?? 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    system_fingerprint: 'fp_mock',
  };
}

/** The chunk sequence OpenAI streams for a completion. */
function chunksFor(completion: MockCompletion, includeUsage: boolean): Array<Record<string, unknown>> {
  const base = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    system_fingerprint: 'fp_mock',
  };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
  });
  const choice = completion.choices[0];
  const message = choice.message;
  const chunks = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (typeof message['reasoning_content'] === 'string') {
    for (const piece of pieces(message['reasoning_content'])) chunks.push(chunk({ reasoning_content: piece }));
  }
  if (typeof message['content'] === 'string') for (const piece of pieces(message['content'])) chunks.push(chunk({ content: piece }));
  const toolCalls = Array.isArray(message['tool_calls']) ? message['tool_calls'].filter(isRecord) : [];
  toolCalls.forEach((call, index) => {
    const fn = isRecord(call['function']) ? call['function'] : {};
    chunks.push(chunk({ tool_calls: [{ index, id: call['id'], type: 'function', function: { name: fn['name'], arguments: '' } }] }));
    for (const piece of pieces(String(fn['arguments'] ?? '')))
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  chunks.push(chunk({}, choice.finish_reason));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

/** Splits text into a few pieces so clients see more than one delta. */
function pieces(text: string): string[] {
  if (text.length <= 4) return text === '' ? [] : [text];
  const size = Math.ceil(text.length / 3);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function embeddingsFor(body: Record<string, unknown>): Record<string, unknown> {
  const raw = body['input'];
  const inputs = Array.isArray(raw) ? raw.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [String(raw)];
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : 8;
  const base64 = body['encoding_format'] === 'base64';
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = deterministicVector(input, dimensions);
      return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
    }),
    model: typeof body['model'] === 'string' ? body['model'] : 'mock-embedding',
    usage: {
      prompt_tokens: inputs.reduce((n, s) => n + s.split(/\s+/).filter(Boolean).length, 0),
      total_tokens: inputs.reduce((n, s) => n + s.split(/\s+/).filter(Boolean).length, 0),
    },
  };
}

/** Values in [-1, 1) from a hash of the text, rounded to float32 so base64 and float agree. */
export function deterministicVector(text: string, dimensions: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < dimensions; i++) {
    const digest = createHash('sha256').update(`${i}:${text}`).digest();
    for (let j = 0; j + 1 < digest.length && out.length < dimensions; j += 2) out.push(Math.fround(digest.readUInt16LE(j) / 32768 - 1));
  }
  return out;
}

function float32Base64(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    buffer.writeFloatLE(v, i * 4);
  });
  return buffer.toString('base64');
}

function sendError(
  res: ServerResponse,
  status: number,
  error: { message: string; type: string; code: string | null; param: string | null },
  requestId: string,
  headers: Record<string, string> = {},
): void {
  sendRaw(res, status, JSON.stringify({ error }), { 'x-request-id': requestId, ...headers });
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), { 'x-request-id': requestId, ...headers });
}

function sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(body);
}

function headerValue(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^Bearer\s+(.+)$/i.exec(value);
  return match ? match[1] : undefined;
}

function maskKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 3)}${'*'.repeat(8)}${key.slice(-4)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
