// A loopback realtime server speaking the OpenAI Realtime event protocol (GA shapes, as in the
// API reference): OpenAI's socket (GET /v1/realtime?model=..., Bearer key) or Azure OpenAI's
// (GET /openai/realtime?api-version=...&deployment=..., `api-key` header). On connect it sends
// session.created; session.update is answered with session.updated; conversation.item.create
// with conversation.item.added and conversation.item.done; response.create with a response
// that echoes the last user text as output_text deltas (and output_audio deltas when the
// session's output_modalities ask for audio) and ends with response.done carrying the usage
// the test set. It records the handshakes and client events it got.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type RealtimeDialect = 'openai' | 'azure';

/** response.done's `usage`, as OpenAI reports it. */
export interface MockRealtimeUsage {
  input_tokens: number;
  output_tokens: number;
  input_token_details: {
    text_tokens: number;
    audio_tokens: number;
    image_tokens: number;
    cached_tokens: number;
    cached_tokens_details: { text_tokens: number; audio_tokens: number; image_tokens: number };
  };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

export function realtimeUsage(input: { text?: number; audio?: number }, output: { text?: number; audio?: number }): MockRealtimeUsage {
  const inText = input.text ?? 0;
  const inAudio = input.audio ?? 0;
  const outText = output.text ?? 0;
  const outAudio = output.audio ?? 0;
  return {
    input_tokens: inText + inAudio,
    output_tokens: outText + outAudio,
    input_token_details: {
      text_tokens: inText,
      audio_tokens: inAudio,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: outText, audio_tokens: outAudio },
  };
}

interface RealtimeHandshake {
  url: string;
  headers: IncomingMessage['headers'];
}

export interface MockRealtimeServer {
  /** `http://127.0.0.1:<port>`: a backend's baseURL is this plus `/v1` (OpenAI) or this (Azure). */
  url: string;
  handshakes: RealtimeHandshake[];
  /** Client events received, parsed, in order. */
  events: Array<{ type: string } & Record<string, unknown>>;
  /** The usage each response.done reports (default: 10 text tokens in, 5 text tokens out). */
  usage: MockRealtimeUsage;
  /** Answer every handshake with this HTTP status instead of upgrading. */
  refuseWith: number | undefined;
  /** Bytes of a `response.output_audio.delta` to send at the next response.create (a frame too large). */
  hugeDeltaBytes: number | undefined;
  /** At the next response.create, this many output_audio.delta events of `bytes` each before the text (a fast upstream). */
  flood: { count: number; bytes: number } | undefined;
  /** Bytes the mock has queued but its sockets have not yet written (what a reader that stopped reading leaves). */
  unsentBytes(): number;
  /** Close frames the server received: [code, reason]. */
  closes: Array<[number, string]>;
  close(): Promise<void>;
}

let counter = 0;
const id = (prefix: string): string => `${prefix}_${(++counter).toString().padStart(6, '0')}mock`;

export async function startRealtimeMock(dialect: RealtimeDialect, apiKey = 'upstream-secret'): Promise<MockRealtimeServer> {
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' }).end('{"error":{"message":"upgrade required"}}');
  });
  const mock: MockRealtimeServer = {
    url: '',
    handshakes: [],
    events: [],
    usage: realtimeUsage({ text: 10 }, { text: 5 }),
    refuseWith: undefined,
    hugeDeltaBytes: undefined,
    flood: undefined,
    unsentBytes: () => [...wss.clients].reduce((sum, client) => sum + client.bufferedAmount, 0),
    closes: [],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  http.on('upgrade', (req, socket, head) => {
    mock.handshakes.push({ url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://mock');
    const refuse = (status: number, message: string): void => {
      const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code: null, param: null } });
      socket.end(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    if (mock.refuseWith !== undefined) return refuse(mock.refuseWith, 'the mock refuses this connection');
    let model: string | null;
    if (dialect === 'openai') {
      if (url.pathname !== '/v1/realtime') return refuse(404, `no route ${url.pathname}`);
      if (req.headers.authorization !== `Bearer ${apiKey}`) return refuse(401, 'Incorrect API key provided');
      model = url.searchParams.get('model');
    } else {
      if (url.pathname !== '/openai/realtime') return refuse(404, `no route ${url.pathname}`);
      if (req.headers['api-key'] !== apiKey) return refuse(401, 'Access denied due to invalid subscription key');
      if (url.searchParams.get('api-version') === null) return refuse(400, 'api-version is required');
      model = url.searchParams.get('deployment');
    }
    if (model === null || model === '') return refuse(400, 'model is required');
    const sessionModel = model;
    wss.handleUpgrade(req, socket, head, (ws) => serve(mock, ws, sessionModel));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return mock;
}

function serve(mock: MockRealtimeServer, ws: WebSocket, model: string): void {
  const session: Record<string, unknown> = {
    type: 'realtime',
    object: 'realtime.session',
    id: id('sess'),
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    prompt: null,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    audio: {
      input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: null, noise_reduction: null, turn_detection: null },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
    },
  };
  const conversation: string[] = [];
  const send = (event: Record<string, unknown>): void => ws.send(JSON.stringify({ event_id: id('event'), ...event }));
  ws.on('close', (code, reason) => mock.closes.push([code, reason.toString('utf8')]));
  send({ type: 'session.created', session });
  ws.on('message', (raw) => {
    let event: { type: string } & Record<string, unknown>;
    try {
      event = JSON.parse(raw.toString()) as { type: string } & Record<string, unknown>;
    } catch {
      send({
        type: 'error',
        error: { type: 'invalid_request_error', code: 'invalid_json', message: 'not JSON', param: null, event_id: null },
      });
      return;
    }
    mock.events.push(event);
    switch (event.type) {
      case 'session.update':
        Object.assign(session, (event.session as Record<string, unknown> | undefined) ?? {});
        send({ type: 'session.updated', session });
        return;
      case 'conversation.item.create': {
        const item = { id: id('item'), object: 'realtime.item', status: 'completed', ...(event.item as Record<string, unknown>) };
        const content = (item as { content?: Array<{ text?: string }> }).content ?? [];
        conversation.push(content.map((part) => part.text ?? '').join(' '));
        send({ type: 'conversation.item.added', previous_item_id: null, item });
        send({ type: 'conversation.item.done', previous_item_id: null, item });
        return;
      }
      case 'response.create':
        respond(mock, send, session, conversation);
        return;
      default:
        return;
    }
  });
}

function respond(
  mock: MockRealtimeServer,
  send: (event: Record<string, unknown>) => void,
  session: Record<string, unknown>,
  conversation: string[],
): void {
  const responseId = id('resp');
  const itemId = id('item');
  const audio = Array.isArray(session.output_modalities) && session.output_modalities.includes('audio');
  const text = `You said: ${conversation.at(-1) ?? ''}`;
  const base = { object: 'realtime.response', id: responseId, conversation_id: 'conv_mock', output_modalities: session.output_modalities };
  send({ type: 'response.created', response: { ...base, status: 'in_progress', status_details: null, output: [], usage: null } });
  const item = { id: itemId, object: 'realtime.item', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
  send({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item });
  const part = audio ? { type: 'output_audio', transcript: '' } : { type: 'output_text', text: '' };
  send({ type: 'response.content_part.added', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, part });
  const where = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
  if (mock.hugeDeltaBytes !== undefined) {
    send({ type: 'response.output_audio.delta', ...where, delta: 'A'.repeat(mock.hugeDeltaBytes) });
    mock.hugeDeltaBytes = undefined;
  }
  if (mock.flood !== undefined) {
    const delta = 'A'.repeat(mock.flood.bytes);
    for (let i = 0; i < mock.flood.count; i++) send({ type: 'response.output_audio.delta', ...where, delta });
    mock.flood = undefined;
  }
  for (const word of text.split(/(?<= )/)) {
    if (audio) {
      send({ type: 'response.output_audio.delta', ...where, delta: Buffer.from(word).toString('base64') });
      send({ type: 'response.output_audio_transcript.delta', ...where, delta: word });
    } else send({ type: 'response.output_text.delta', ...where, delta: word });
  }
  if (audio) {
    send({ type: 'response.output_audio.done', ...where });
    send({ type: 'response.output_audio_transcript.done', ...where, transcript: text });
  } else send({ type: 'response.output_text.done', ...where, text });
  const donePart = audio ? { type: 'output_audio', transcript: text } : { type: 'output_text', text };
  send({ type: 'response.content_part.done', ...where, part: donePart });
  const doneItem = { ...item, status: 'completed', content: [donePart] };
  send({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: doneItem });
  send({
    type: 'response.done',
    response: {
      ...base,
      status: 'completed',
      status_details: null,
      output: [doneItem],
      max_output_tokens: 'inf',
      usage: mock.usage,
      metadata: null,
    },
  });
}
