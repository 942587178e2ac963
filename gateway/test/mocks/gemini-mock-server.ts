// A Gemini (Generative Language API) provider for tests, speaking the real wire format on
// 127.0.0.1.
//
//   const gemini = await startGeminiMockServer({ apiKey: 'test-gemini-key' });
//   gemini.url               base URL for a `gemini` backend: the host, as for Google
//   gemini.enqueue(r1, r2)   scripted replies, one per model call (generate/stream/embed), in order
//   gemini.calls             each call parsed: {model, method, alt, apiKey, body}
//   gemini.requests          each raw request (method, url, headers, body, json)
//   gemini.reset()           forget calls and queued replies
//   await gemini.close()
//
// Routes: POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse (SSE,
// `data: <json>` events separated by CRLF CRLF, no [DONE], as Google sends them; without
// alt=sse a JSON array, as Google sends that), :embedContent, :batchEmbedContents.
// A missing or wrong `x-goog-api-key` gets Google's answer to that: 400 INVALID_ARGUMENT with
// ErrorInfo reason API_KEY_INVALID. Unknown paths get 404 NOT_FOUND, bad JSON 400.
//
// With the queue empty, generateContent replays capture google-text.json, streams replay
// google-text.chunks.txt, and embeddings are deterministic vectors computed from each text.
//
// Replies (GeminiMockReply), each with optional `delayMs` before the status line:
//   {capture: 'google-tool-call'}      `<name>.json` for generateContent, `<name>.chunks.txt` for streams
//   {response: {...}}                  a GenerateContentResponse: the JSON body, or one SSE event
//   {chunks: [...], chunkDelayMs, cut} SSE events; `cut: {afterChunks, how}` stops after that many:
//                                      'end' finishes the HTTP response cleanly, 'reset' destroys
//                                      the socket, 'mid-event' writes half the next event, then resets
//   {error: {code, status, message, details}, headers}   Google's error envelope with that HTTP code
//   {embeddings: number[][]}           an embedContent / batchEmbedContents answer
// Helpers build common ones: rateLimitedReply(retryDelay), blockedPromptReply(blockReason),
// safetyStopReply(finishReason), textReply(text, usage), functionCallReply(name, args).

import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { startMockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';
import { wireFixturePath } from '../support/repo-paths.js';

interface GeminiMockCut {
  afterChunks: number;
  how: 'end' | 'reset' | 'mid-event';
}

export type GeminiMockReply = { delayMs?: number } & (
  | { capture: string }
  | { response: Record<string, unknown> }
  | { chunks: Array<Record<string, unknown>>; chunkDelayMs?: number; cut?: GeminiMockCut }
  | { error: GoogleErrorPayload; headers?: Record<string, string> }
  | { embeddings: number[][] }
);

interface GoogleErrorPayload {
  code: number;
  status: string;
  message: string;
  details?: Array<Record<string, unknown>>;
}

interface GeminiMockCall {
  model: string;
  method: string;
  /** The `alt` query parameter (`sse` for SSE streams). */
  alt: string | undefined;
  apiKey: string | undefined;
  body: unknown;
}

export interface GeminiMockServer {
  url: string;
  calls: GeminiMockCall[];
  requests: RecordedRequest[];
  enqueue(...replies: GeminiMockReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

const METHOD_PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;

export async function startGeminiMockServer(options: { apiKey?: string } = {}): Promise<GeminiMockServer> {
  const apiKey = options.apiKey ?? 'test-gemini-key';
  const queue: GeminiMockReply[] = [];
  const calls: GeminiMockCall[] = [];

  const server = await startMockHttpServer(async (request, res) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const match = METHOD_PATH.exec(url.pathname);
    if (request.method !== 'POST' || match === null) {
      return sendGoogleError(res, { code: 404, status: 'NOT_FOUND', message: `Method not found: ${request.method} ${url.pathname}` });
    }
    const sentKey = headerValue(request.headers['x-goog-api-key']);
    if (sentKey !== apiKey) {
      return sendGoogleError(res, {
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: 'API key not valid. Please pass a valid API key.',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      });
    }
    if (request.json === undefined) {
      return sendGoogleError(res, { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid JSON payload received.' });
    }
    const model = decodeURIComponent(match[1] as string);
    const method = match[2] as string;
    calls.push({ model, method, alt: url.searchParams.get('alt') ?? undefined, apiKey: sentKey, body: request.json });

    const reply = queue.shift();
    if (reply?.delayMs !== undefined) await sleep(reply.delayMs);
    if (method === 'embedContent' || method === 'batchEmbedContents') return answerEmbeddings(res, method, request.json, reply);
    const streaming = method === 'streamGenerateContent';
    return answerGenerate(res, streaming, url.searchParams.get('alt') === 'sse', reply ?? { capture: 'google-text' });
  });

  return {
    url: server.url,
    calls,
    requests: server.requests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    reset: () => {
      queue.length = 0;
      calls.length = 0;
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

async function answerGenerate(res: ServerResponse, streaming: boolean, sse: boolean, reply: GeminiMockReply): Promise<void> {
  if ('error' in reply) return sendGoogleError(res, reply.error, reply.headers);
  if ('embeddings' in reply) throw new Error('an embeddings reply was queued for a generateContent call');
  if (!streaming) {
    if ('capture' in reply) return sendJson(res, 200, loadGeminiCaptureJson(reply.capture));
    if ('response' in reply) return sendJson(res, 200, reply.response);
    throw new Error('a chunks reply was queued for a non-streaming generateContent call');
  }
  const chunks = 'capture' in reply ? loadGeminiCaptureChunks(reply.capture) : 'response' in reply ? [reply.response] : reply.chunks;
  const chunkDelayMs = 'chunks' in reply ? (reply.chunkDelayMs ?? 0) : 0;
  const cut = 'chunks' in reply ? reply.cut : undefined;
  if (!sse) return writeJsonArrayStream(res, chunks);

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  for (const [i, chunk] of chunks.entries()) {
    if (cut !== undefined && i === cut.afterChunks) {
      if (cut.how === 'end') return void res.end();
      if (cut.how === 'mid-event') {
        const frame = sseFrame(chunk);
        res.write(frame.slice(0, Math.floor(frame.length / 2)));
      }
      // Let what was written reach the client before the connection drops.
      await sleep(30);
      res.socket?.destroy();
      return;
    }
    res.write(sseFrame(chunk));
    if (chunkDelayMs > 0) await sleep(chunkDelayMs);
  }
  if (cut !== undefined && cut.afterChunks >= chunks.length && cut.how !== 'end') {
    await sleep(30);
    return void res.socket?.destroy();
  }
  res.end();
}

function answerEmbeddings(res: ServerResponse, method: string, body: unknown, reply: GeminiMockReply | undefined): void {
  if (reply !== undefined && 'error' in reply) return sendGoogleError(res, reply.error, reply.headers);
  const requests = method === 'batchEmbedContents' ? ((body as { requests?: unknown[] }).requests ?? []) : [body];
  const vectors =
    reply !== undefined && 'embeddings' in reply
      ? reply.embeddings
      : requests.map((r) => {
          const entry = r as { content?: { parts?: Array<{ text?: string }> }; outputDimensionality?: number };
          return deterministicEmbedding(entry.content?.parts?.map((p) => p.text ?? '').join('') ?? '', entry.outputDimensionality ?? 8);
        });
  if (method === 'embedContent') return sendJson(res, 200, { embedding: { values: vectors[0] ?? [] } });
  return sendJson(res, 200, { embeddings: vectors.map((values) => ({ values })) });
}

/** A unit vector computed from the text, so equal texts embed equally and different ones differ. */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  const values = Array.from({ length: dimensions }, (_, i) => {
    let h = 2166136261 ^ (i + 1);
    for (let c = 0; c < text.length; c++) h = Math.imul(h ^ text.charCodeAt(c), 16777619);
    return ((h >>> 0) / 0xffffffff) * 2 - 1;
  });
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

function writeJsonArrayStream(res: ServerResponse, chunks: Array<Record<string, unknown>>): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(`[${chunks.map((c) => JSON.stringify(c)).join(',\r\n')}]`);
}

function sseFrame(chunk: unknown): string {
  return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendGoogleError(res: ServerResponse, error: GoogleErrorPayload, headers: Record<string, string> = {}): void {
  sendJson(res, error.code, { error }, headers);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- captures -------------------------------------------------------------------------------

/** A recorded `:generateContent` body from `__fixtures__/<name>.json`. */
export function loadGeminiCaptureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(wireFixturePath('gemini', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A recorded stream from `__fixtures__/<name>.chunks.txt`: one GenerateContentResponse JSON per line. */
export function loadGeminiCaptureChunks(name: string): Array<Record<string, unknown>> {
  return readFileSync(wireFixturePath('gemini', `${name}.chunks.txt`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The capture's chunks framed exactly as Google sends them on the wire. */
export function geminiCaptureSseBytes(name: string): string {
  return loadGeminiCaptureChunks(name).map(sseFrame).join('');
}

// --- reply helpers --------------------------------------------------------------------------

/** 429 RESOURCE_EXHAUSTED as in capture google-429-retry-info.json, with the given RetryInfo delay. */
export function rateLimitedReply(retryDelay = '34.4s'): GeminiMockReply {
  const capture = loadGeminiCaptureJson('google-429-retry-info') as { error: GoogleErrorPayload };
  const details = (capture.error.details ?? []).map((d) =>
    d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo' ? { ...d, retryDelay } : d,
  );
  return { error: { ...capture.error, details } };
}

/** The prompt itself was blocked: no candidates, only promptFeedback. */
export function blockedPromptReply(blockReason = 'SAFETY'): GeminiMockReply {
  return {
    response: {
      promptFeedback: {
        blockReason,
        safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
      },
      usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'mockBlockedPrompt01',
    },
  };
}

/** A candidate stopped by a filter (SAFETY, RECITATION, ...), with no content. */
export function safetyStopReply(finishReason = 'SAFETY'): GeminiMockReply {
  return {
    response: {
      candidates: [
        { finishReason, index: 0, safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'HIGH', blocked: true }] },
      ],
      usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'mockSafetyStop001',
    },
  };
}

export interface MockUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
}

function textResponse(text: string, usage: MockUsage, responseId = 'mockTextResponse01'): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      ...usage,
      totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0),
    },
    modelVersion: 'gemini-2.5-flash',
    responseId,
  };
}

export function textReply(text: string, usage: MockUsage): GeminiMockReply {
  return { response: textResponse(text, usage) };
}

export function functionCallReply(name: string, args: Record<string, unknown>): GeminiMockReply {
  return {
    response: {
      candidates: [{ content: { parts: [{ functionCall: { name, args } }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 6, totalTokenCount: 26 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'mockFunctionCall01',
    },
  };
}
