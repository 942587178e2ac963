// A loopback upstream speaking OpenAI's audio API as OpenAI, Azure OpenAI and Groq serve it:
//   openai: POST /v1/audio/{transcriptions,translations,speech}, Bearer key, `model` in the body;
//   azure:  POST /openai/deployments/{deployment}/audio/{...}?api-version=..., `api-key` header,
//           no `model` needed (the deployment names it);
//   groq:   POST /openai/v1/audio/{...}, Bearer key.
// Transcriptions "hear" the uploaded file as UTF-8 text (so a test knows the transcript) and
// last one second per 100 bytes; each response_format is answered as OpenAI does (json with
// `usage`, text/plain for text, srt and vtt, verbose_json with duration and segments, SSE
// transcript.text.delta / transcript.text.done for stream=true). Speech answers deterministic
// bytes derived from the input in several chunks, or speech.audio.delta / done events.
import type { ServerResponse } from 'node:http';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

export type AudioDialect = 'openai' | 'azure' | 'groq';

export interface AudioUpstream {
  server: MockHttpServer;
  /** The requests that reached an audio path. */
  audioRequests(): RecordedRequest[];
  /** Status to answer with instead (a failing backend). */
  failWith: number | undefined;
  /** When set, binary speech sends its first chunk, then waits for this before the rest. */
  speechGate: Promise<void> | undefined;
}

/** What the mock says for `input`: the text's UTF-8 bytes, each followed by its index, repeated. */
export function speechBytes(input: string, size = 64 * 1024): Buffer {
  const seed = Buffer.from(input, 'utf8');
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = ((seed[i % seed.length] as number) + Math.floor(i / seed.length)) & 0xff;
  return out;
}

/** Seconds of audio the mock hears in a file of `bytes` bytes. */
export const mockSeconds = (bytes: number): number => Math.max(1, Math.ceil(bytes / 100));

const SPEECH_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function openAIError(res: ServerResponse, status: number, message: string, param: string | null = null): void {
  reply(res, status, { error: { message, type: 'invalid_request_error', param, code: null } });
}

function timestamp(seconds: number, separator: ',' | '.'): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${separator}000`;
}

export async function startAudioUpstream(dialect: AudioDialect, apiKey = 'upstream-secret'): Promise<AudioUpstream> {
  const prefix = dialect === 'azure' ? /^\/openai\/deployments\/([^/]+)\/audio\/(\w+)\?api-version=[\w-]+$/ : undefined;
  const base = dialect === 'groq' ? '/openai/v1/audio/' : '/v1/audio/';
  const upstream: AudioUpstream = {
    server: undefined as unknown as MockHttpServer,
    audioRequests: () => upstream.server.requests.filter((r) => r.url.includes('/audio/')),
    failWith: undefined,
    speechGate: undefined,
  };
  upstream.server = await startMockHttpServer(async (request, res) => {
    let operation: string | undefined;
    if (prefix !== undefined) operation = prefix.exec(request.url)?.[2];
    else if (request.url.startsWith(base)) operation = request.url.slice(base.length);
    if (request.method !== 'POST' || operation === undefined) return openAIError(res, 404, `no route ${request.url}`);
    const authorized = dialect === 'azure' ? request.headers['api-key'] === apiKey : request.headers.authorization === `Bearer ${apiKey}`;
    if (!authorized) return openAIError(res, 401, 'Incorrect API key provided');
    if (upstream.failWith !== undefined) return openAIError(res, upstream.failWith, 'upstream is unwell');
    if (operation === 'speech') return speech(request, res, dialect, upstream.speechGate);
    if (operation === 'transcriptions' || operation === 'translations') return transcribe(request, res, dialect, operation);
    return openAIError(res, 404, `no route ${request.url}`);
  });
  return upstream;
}

async function transcribe(request: RecordedRequest, res: ServerResponse, dialect: AudioDialect, operation: string): Promise<void> {
  const contentType = request.headers['content-type'] ?? '';
  let form: FormData;
  try {
    form = await new Request('http://mock.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: request.body,
    }).formData();
  } catch {
    return openAIError(res, 400, 'Could not parse multipart form');
  }
  const model = form.get('model');
  if (dialect !== 'azure' && typeof model !== 'string') return openAIError(res, 400, 'you must provide a model parameter', 'model');
  const file = form.get('file');
  if (file === null || typeof file === 'string') return openAIError(res, 400, "'file' is a required property", 'file');
  const bytes = Buffer.from(await file.arrayBuffer());
  const heard = bytes.toString('utf8');
  const text = operation === 'translations' ? `(en) ${heard}` : heard;
  const seconds = mockSeconds(bytes.length);
  const format = (form.get('response_format') as string | null) ?? 'json';
  const tokenBilled = typeof model === 'string' && model.startsWith('gpt-4o');
  const usage = tokenBilled
    ? {
        type: 'tokens',
        input_tokens: seconds * 10 + 3,
        input_token_details: { text_tokens: 3, audio_tokens: seconds * 10 },
        output_tokens: text.split(' ').length,
        total_tokens: seconds * 10 + 3 + text.split(' ').length,
      }
    : { type: 'duration', seconds };
  if (form.get('stream') === 'true') {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    for (const word of text.split(' ')) {
      res.write(`data: ${JSON.stringify({ type: 'transcript.text.delta', delta: `${word} ` })}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    res.end(`data: ${JSON.stringify({ type: 'transcript.text.done', text, usage })}\n\n`);
    return;
  }
  const plain = (body: string): void => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  };
  switch (format) {
    case 'text':
      return plain(`${text}\n`);
    case 'srt':
      return plain(`1\n${timestamp(0, ',')} --> ${timestamp(seconds, ',')}\n${text}\n\n`);
    case 'vtt':
      return plain(`WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(seconds, '.')}\n${text}\n\n`);
    case 'verbose_json':
      return reply(res, 200, {
        task: operation === 'translations' ? 'translate' : 'transcribe',
        language: 'english',
        duration: seconds,
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: seconds,
            text,
            tokens: [1, 2],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1,
            no_speech_prob: 0,
          },
        ],
      });
    default:
      return reply(res, 200, operation === 'translations' ? { text } : { text, usage });
  }
}

async function speech(
  request: RecordedRequest,
  res: ServerResponse,
  dialect: AudioDialect,
  gate: Promise<void> | undefined,
): Promise<void> {
  const body = request.json as { model?: unknown; input?: unknown; voice?: unknown; response_format?: unknown; stream_format?: unknown };
  if (body === undefined) return openAIError(res, 400, 'body must be JSON');
  if (dialect !== 'azure' && typeof body.model !== 'string') return openAIError(res, 400, 'model is required', 'model');
  if (typeof body.input !== 'string' || body.voice === undefined) return openAIError(res, 400, 'input and voice are required', 'input');
  const audio = speechBytes(body.input);
  if (body.stream_format === 'sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    for (let at = 0; at < audio.length; at += 16 * 1024)
      res.write(
        `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: audio.subarray(at, at + 16 * 1024).toString('base64') })}\n\n`,
      );
    const input = [...body.input].length;
    res.end(
      `data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: input, output_tokens: 100, total_tokens: input + 100 } })}\n\n`,
    );
    return;
  }
  const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
  res.writeHead(200, { 'content-type': SPEECH_TYPES[format] ?? 'application/octet-stream', 'transfer-encoding': 'chunked' });
  // Several writes apart in time: the gateway must pass each on as it comes.
  for (let at = 0; at < audio.length; at += 8 * 1024) {
    res.write(audio.subarray(at, at + 8 * 1024));
    if (at === 0 && gate !== undefined) await gate;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  res.end();
}
