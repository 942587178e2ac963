// A loopback Anthropic Messages API for tests, speaking the real wire format.
//
//   const mock = await startAnthropicMockServer();          // accepts x-api-key ANTHROPIC_MOCK_API_KEY
//   backend baseURL = mock.url                              // the gateway adds /v1/messages
//   mock.enqueue(reply, ...)                                // answers for the next requests, in order
//   mock.setDefaultReply(reply | (request) => reply)        // when the queue is empty (default: capture anthropic-text)
//   mock.requests / mock.messageRequests                    // everything received / accepted /v1/messages bodies
//   mock.reset(); await mock.close();
//
// Like the real API it answers 401 authentication_error for a missing or wrong key (`x-api-key`,
// or `Authorization: Bearer`, which the official SDK sends since API version 2026-10-21), 400
// invalid_request_error for a missing `anthropic-version` header or a body without `model`,
// `max_tokens` (integer >= 1) or `messages`, and 404 not_found_error off POST /v1/messages.
//
// Replies (AnthropicMockReply), each with the common options below:
//   { capture: 'anthropic-text' }   replays __fixtures__/<name>.json, or <name>.chunks.txt when the
//                                   request has `stream: true` (each line one SSE event)
//   { content: [blocks], stopReason?, stopSequence?, usage?, model?, id? }
//                                   builds both a JSON answer and, for streams, the event sequence
//                                   Anthropic would send (text and JSON arguments split in pieces)
//   { message: {...} }              this exact JSON body (status 200)
//   { events: [{type, ...}, ...] }  these exact stream events
//   { error: { status, type, message } }   an Anthropic error answer (e.g. 529 overloaded_error)
// Common options:
//   delayMs          wait before the status line (timeouts)
//   frameDelayMs     wait between stream events
//   retryAfter       `retry-after` header value on an error answer
//   cutAfterEvents   stop a stream after this many events, without message_stop
//   cutMode          'end' (clean close, the default) or 'destroy' (connection reset)
//   errorAfterEvents { after, type, message }: send `event: error` after that many events, then close
//
// Stream framing is Anthropic's exactly: `event: <type>\ndata: <json>\n\n`.

import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';
import { wireFixturePath } from '../support/repo-paths.js';

export const ANTHROPIC_MOCK_API_KEY = 'sk-ant-mock-0123456789abcdefghij';

interface AnthropicMockReplyOptions {
  delayMs?: number;
  frameDelayMs?: number;
  retryAfter?: string;
  cutAfterEvents?: number;
  cutMode?: 'end' | 'destroy';
  errorAfterEvents?: { after: number; type: string; message: string };
}

interface AnthropicMockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

type AnthropicMockReply = AnthropicMockReplyOptions &
  (
    | { capture: string }
    | {
        content: Array<Record<string, unknown>>;
        stopReason?: string;
        stopSequence?: string;
        usage?: AnthropicMockUsage;
        model?: string;
        id?: string;
      }
    | { message: unknown }
    | { events: Array<Record<string, unknown>> }
    | { error: { status: number; type: string; message: string } }
  );

type AnthropicMockReplySource = AnthropicMockReply | ((request: RecordedRequest) => AnthropicMockReply);

export interface AnthropicMockServer {
  url: string;
  /** Every request received, including refused ones. */
  requests: RecordedRequest[];
  /** Parsed bodies of the /v1/messages requests that passed the header and body checks. */
  messageRequests: Array<Record<string, unknown>>;
  enqueue(...replies: AnthropicMockReply[]): void;
  setDefaultReply(reply: AnthropicMockReplySource): void;
  /** Clears recorded requests and queued replies; restores the default reply. */
  reset(): void;
  close(): Promise<void>;
}

export interface AnthropicMockServerOptions {
  apiKey?: string;
  defaultReply?: AnthropicMockReplySource;
}

const INITIAL_DEFAULT: AnthropicMockReply = { capture: 'anthropic-text' };

export async function startAnthropicMockServer(options: AnthropicMockServerOptions = {}): Promise<AnthropicMockServer> {
  const apiKey = options.apiKey ?? ANTHROPIC_MOCK_API_KEY;
  const initialDefault = options.defaultReply ?? INITIAL_DEFAULT;
  let defaultReply: AnthropicMockReplySource = initialDefault;
  const queue: AnthropicMockReply[] = [];
  const messageRequests: Array<Record<string, unknown>> = [];
  let requestCounter = 0;

  const server: MockHttpServer = await startMockHttpServer(async (request, res) => {
    const requestId = `req_mock_${++requestCounter}`;
    const refusal = checkRequest(request, apiKey);
    if (refusal !== undefined) {
      sendError(res, refusal.status, refusal.type, refusal.message, requestId);
      return;
    }
    const body = request.json as Record<string, unknown>;
    messageRequests.push(body);
    const source = queue.shift() ?? defaultReply;
    const reply = typeof source === 'function' ? source(request) : source;
    await answer(res, reply, body['stream'] === true, requestId);
  });

  return {
    url: server.url,
    requests: server.requests,
    messageRequests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    setDefaultReply: (reply) => {
      defaultReply = reply;
    },
    reset: () => {
      server.requests.length = 0;
      messageRequests.length = 0;
      queue.length = 0;
      defaultReply = initialDefault;
    },
    close: () => server.close(),
  };
}

interface Refusal {
  status: number;
  type: string;
  message: string;
}

function checkRequest(request: RecordedRequest, apiKey: string): Refusal | undefined {
  const path = request.url.split('?')[0];
  if (request.method !== 'POST' || path !== '/v1/messages') {
    return { status: 404, type: 'not_found_error', message: `Not found: ${request.method} ${path}` };
  }
  const key = request.headers['x-api-key'] ?? bearerToken(request.headers['authorization']);
  if (key === undefined) return { status: 401, type: 'authentication_error', message: 'x-api-key header is required' };
  if (key !== apiKey) return { status: 401, type: 'authentication_error', message: 'invalid x-api-key' };
  if (request.headers['anthropic-version'] === undefined) {
    return { status: 400, type: 'invalid_request_error', message: 'anthropic-version: header is required' };
  }
  const body = request.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, type: 'invalid_request_error', message: 'The request body is not valid JSON.' };
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields['model'] !== 'string') return { status: 400, type: 'invalid_request_error', message: 'model: Field required' };
  const maxTokens = fields['max_tokens'];
  if (maxTokens === undefined) return { status: 400, type: 'invalid_request_error', message: 'max_tokens: Field required' };
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return {
      status: 400,
      type: 'invalid_request_error',
      message: 'max_tokens: Input should be a valid integer greater than or equal to 1',
    };
  }
  if (!Array.isArray(fields['messages'])) return { status: 400, type: 'invalid_request_error', message: 'messages: Field required' };
  return undefined;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1];
}

async function answer(res: ServerResponse, reply: AnthropicMockReply, stream: boolean, requestId: string): Promise<void> {
  if (reply.delayMs !== undefined && reply.delayMs > 0) await sleep(reply.delayMs);
  if (res.destroyed) return;
  if ('error' in reply) {
    const headers: Record<string, string> = {};
    if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
    sendError(res, reply.error.status, reply.error.type, reply.error.message, requestId, headers);
    return;
  }
  if ('message' in reply) {
    sendJson(res, 200, reply.message, requestId);
    return;
  }
  if ('events' in reply) {
    await sendStream(
      res,
      reply.events.map((event) => JSON.stringify(event)),
      reply,
      requestId,
    );
    return;
  }
  if ('capture' in reply) {
    if (stream) await sendStream(res, readCaptureEvents(reply.capture), reply, requestId);
    else sendRaw(res, 200, readFileSync(wireFixturePath('anthropic-messages', `${reply.capture}.json`), 'utf8'), requestId);
    return;
  }
  const message = messageFromContent(reply);
  if (stream)
    await sendStream(
      res,
      streamEventsFor(message).map((event) => JSON.stringify(event)),
      reply,
      requestId,
    );
  else sendJson(res, 200, message, requestId);
}

/** A chunks.txt capture: one SSE data payload per line, sent verbatim. */
function readCaptureEvents(name: string): string[] {
  return readFileSync(wireFixturePath('anthropic-messages', `${name}.chunks.txt`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

async function sendStream(res: ServerResponse, payloads: string[], options: AnthropicMockReplyOptions, requestId: string): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
  for (let sent = 0; sent <= payloads.length; sent++) {
    const injected = options.errorAfterEvents;
    if (injected !== undefined && injected.after === sent) {
      const error = { type: 'error', error: { type: injected.type, message: injected.message } };
      res.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
      res.end();
      return;
    }
    if (options.cutAfterEvents !== undefined && options.cutAfterEvents === sent) {
      if (options.cutMode === 'destroy') res.destroy();
      else res.end();
      return;
    }
    const payload = payloads[sent];
    if (payload === undefined) break;
    const type = (JSON.parse(payload) as { type?: unknown }).type;
    res.write(`event: ${String(type)}\ndata: ${payload}\n\n`);
    if (options.frameDelayMs !== undefined && options.frameDelayMs > 0) await sleep(options.frameDelayMs);
    if (res.destroyed) return;
  }
  res.end();
}

interface MockMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<Record<string, unknown>>;
  stop_reason: string;
  stop_sequence: string | null;
  usage: Required<AnthropicMockUsage>;
}

let messageCounter = 0;

function messageFromContent(reply: Extract<AnthropicMockReply, { content: unknown }>): MockMessage {
  const hasToolUse = reply.content.some((block) => block['type'] === 'tool_use');
  const usage = reply.usage ?? { input_tokens: 10, output_tokens: 5 };
  return {
    id: reply.id ?? `msg_mock_${++messageCounter}`,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? 'claude-mock-1',
    content: reply.content,
    stop_reason: reply.stopReason ?? (hasToolUse ? 'tool_use' : 'end_turn'),
    stop_sequence: reply.stopSequence ?? null,
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    },
  };
}

/** The event sequence Anthropic streams for a message: prompt usage up front, totals at the end. */
function streamEventsFor(message: MockMessage): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } },
    },
    { type: 'ping' },
  ];
  message.content.forEach((block, index) => {
    switch (block['type']) {
      case 'text':
        events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const piece of pieces(String(block['text'] ?? ''))) {
          events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        }
        break;
      case 'thinking':
        events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const piece of pieces(String(block['thinking'] ?? ''))) {
          events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
        }
        events.push({
          type: 'content_block_delta',
          index,
          delta: { type: 'signature_delta', signature: String(block['signature'] ?? '') },
        });
        break;
      case 'tool_use':
        events.push({
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} },
        });
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
        for (const piece of pieces(JSON.stringify(block['input'] ?? {}))) {
          events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
        }
        break;
      default:
        events.push({ type: 'content_block_start', index, content_block: block });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
      usage: { ...message.usage },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** Splits text into a few pieces so clients see more than one delta per block. */
function pieces(text: string): string[] {
  if (text.length <= 4) return text === '' ? [] : [text];
  const size = Math.ceil(text.length / 3);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  const body = { type: 'error', error: { type, message }, request_id: requestId };
  sendRaw(res, status, JSON.stringify(body), requestId, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  sendRaw(res, status, JSON.stringify(body), requestId);
}

function sendRaw(res: ServerResponse, status: number, body: string, requestId: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
