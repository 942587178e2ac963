// What the realtime tests share: the gateway's manifests for OpenAI and Azure OpenAI realtime
// backends, the official SDK's realtime client pointed at the gateway, and raw WebSocket
// handshakes for what the SDK hides (an HTTP refusal's status and body, subprotocols).
import { connect } from 'node:net';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import WebSocket, { type ClientOptions } from 'ws';
import { logRecords } from '../governance/governance-fixtures.js';
import type { GatewayProcess } from '../support/gateway-process.js';

/** An `openai` backend on a realtime mock (its socket is {baseURL}/realtime). */
export function openAIRealtimeBackend(name: string, mockUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    provider: 'openai',
    model: 'gpt-realtime',
    baseURL: `${mockUrl}/v1`,
    credentials: [{ secretRef: { name: 'realtime', key: 'apiKey' } }],
    ...extra,
  };
}

export const AZURE_API_VERSION = '2025-04-01-preview';

/** An `azure-openai` backend on a realtime mock: deployment `rt-deploy` of gpt-realtime. */
export function azureRealtimeBackend(name: string, mockUrl: string): Record<string, unknown> {
  return {
    name,
    provider: 'azure-openai',
    model: 'gpt-realtime',
    baseURL: mockUrl,
    azure: { deployment: 'rt-deploy', apiVersion: AZURE_API_VERSION },
    credentials: [{ secretRef: { name: 'realtime', key: 'apiKey' } }],
  };
}

/**
 * The SDK builds wss:// URLs whatever the base URL's scheme (buildRealtimeURL sets it); the test
 * gateway listens in plain HTTP, so the SDK's socket is handed a plain TCP connection. The
 * handshake, framing and events above TCP are the SDK's own WebSocket client's.
 */
const PLAIN_TCP: ClientOptions = {
  createConnection: ((options: { host?: string; port?: number | string }) =>
    connect({ host: options.host ?? '127.0.0.1', port: Number(options.port) })) as unknown as ClientOptions['createConnection'],
};

export type RealtimeEvent = { type: string } & Record<string, unknown>;

/** The official SDK's realtime client on the gateway, recording every server event it gets. */
export interface SdkSession {
  rt: OpenAIRealtimeWS;
  events: RealtimeEvent[];
  /** Errors the SDK reported (error events and socket failures). */
  errors: Error[];
  /** Resolves with the first event of `type` (already received, or the next one). */
  next(type: string, after?: number): Promise<RealtimeEvent>;
  /** Resolves with the close code and reason once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** The headers of the gateway's 101 (filled once the socket opened). */
  upgradeHeaders: Record<string, string | string[] | undefined>;
}

export async function openSdkSession(gateway: GatewayProcess, key: string, model: string): Promise<SdkSession> {
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
  const rt = await OpenAIRealtimeWS.create(client, { model, options: PLAIN_TCP });
  const upgradeHeaders: Record<string, string | string[] | undefined> = {};
  rt.socket.once('upgrade', (response) => Object.assign(upgradeHeaders, response.headers));
  const events: RealtimeEvent[] = [];
  const errors: Error[] = [];
  const waiters: Array<() => void> = [];
  rt.on('event', (event) => {
    events.push(event as unknown as RealtimeEvent);
    for (const wake of waiters.splice(0)) wake();
  });
  rt.on('error', (error) => {
    errors.push(error);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    rt.socket.once('close', (code, reason) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, reason: reason.toString('utf8') });
    }),
  );
  const next = async (type: string, after = 0): Promise<RealtimeEvent> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = events.slice(after).find((event) => event.type === type);
      if (found !== undefined) return found;
      if (Date.now() > deadline || rt.socket.readyState === WebSocket.CLOSED)
        throw new Error(
          `no ${type} event; got ${events.map((e) => e.type).join(', ')}; errors: ${errors.map((e) => e.message).join('; ')}`,
        );
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { rt, events, errors, next, closed, upgradeHeaders };
}

/** One text turn through `session`: the user's text in, the response's deltas and response.done out. */
export async function textTurn(session: SdkSession, text: string): Promise<{ deltas: string; done: RealtimeEvent }> {
  const from = session.events.length;
  session.rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  session.rt.send({ type: 'response.create' });
  const done = await session.next('response.done', from);
  const deltas = session.events
    .slice(from)
    .filter((event) => event.type === 'response.output_text.delta' || event.type === 'response.output_audio_transcript.delta')
    .map((event) => event.delta as string)
    .join('');
  return { deltas, done };
}

interface RawHandshake {
  /** 101 when the socket opened, else the HTTP status of the refusal. */
  status: number;
  body: string;
  socket: WebSocket | undefined;
  /** Every server event the socket received, collected from before it opened (an event may come with the 101). */
  events: RealtimeEvent[];
  /** Resolves with the close code and reason once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A raw handshake with `ws` (Bearer header or subprotocols), for refusals and browser-style keys. */
export function rawHandshake(
  gateway: GatewayProcess,
  path: string,
  options: { key?: string; protocols?: string[] } = {},
): Promise<RawHandshake> {
  const url = `${gateway.url.replace('http://', 'ws://')}${path}`;
  const headers: Record<string, string> = options.key === undefined ? {} : { authorization: `Bearer ${options.key}` };
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers });
    // Listening before 'open': the first event can arrive with the 101 and be emitted before a
    // caller awaiting this promise could attach a listener.
    const events: RealtimeEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(data.toString()) as RealtimeEvent));
    const closed = new Promise<{ code: number; reason: string }>((resolveClose) =>
      socket.once('close', (code, reason) => resolveClose({ code, reason: reason.toString('utf8') })),
    );
    socket.once('open', () => resolve({ status: 101, body: '', socket, events, closed }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: undefined, events, closed }));
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** The gateway's first `request` log line that `match` accepts, waited for: a session's is written once it has closed. */
export async function requestLineWhere(
  gateway: GatewayProcess,
  match: (record: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = logRecords(gateway).find((record) => record.msg === 'request' && match(record));
    if (line !== undefined || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
