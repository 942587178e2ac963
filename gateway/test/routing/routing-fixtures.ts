// Shared pieces of the routing tests: an OpenAI-compatible upstream whose delay and status a test
// sets while the gateway runs, and a counter of which backend answered.
import type { ServerResponse } from 'node:http';
import type OpenAI from 'openai';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

export interface ControlledUpstream {
  readonly server: MockHttpServer;
  /** Delay before the answer, in ms. */
  delayMs: number;
  /** Status of the answer; anything but 200 answers an OpenAI-shaped error. */
  status: number;
  /** Authorization headers of the chat requests received, in order. */
  readonly authorizations: string[];
  /** Requests being answered right now, and the most at any moment so far. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startControlledUpstream(name: string): Promise<ControlledUpstream> {
  const authorizations: string[] = [];
  const upstream: ControlledUpstream = {
    server: undefined as unknown as MockHttpServer,
    delayMs: 0,
    status: 200,
    authorizations,
    inFlight: 0,
    maxInFlight: 0,
    close: () => upstream.server.close(),
  };
  const handle = async (request: RecordedRequest, res: ServerResponse): Promise<void> => {
    authorizations.push(String(request.headers.authorization ?? ''));
    upstream.inFlight += 1;
    upstream.maxInFlight = Math.max(upstream.maxInFlight, upstream.inFlight);
    res.once('close', () => {
      upstream.inFlight -= 1;
    });
    if (upstream.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, upstream.delayMs));
    res.setHeader('content-type', 'application/json');
    if (upstream.status !== 200) {
      res.statusCode = upstream.status;
      res.end(JSON.stringify({ error: { message: `${name} is failing`, type: 'server_error' } }));
      return;
    }
    res.end(
      JSON.stringify({
        id: `chatcmpl-${name}`,
        object: 'chat.completion',
        created: 1,
        model: 'upstream',
        choices: [{ index: 0, message: { role: 'assistant', content: `from ${name}` }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      }),
    );
  };
  (upstream as { server: MockHttpServer }).server = await startMockHttpServer(handle);
  return upstream;
}

/** An `openai-compatible` backend pointed at a controlled upstream. */
export function compatibleBackend(
  name: string,
  upstream: ControlledUpstream,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, provider: 'openai-compatible', model: 'upstream', baseURL: `${upstream.server.url}/v1`, ...extra };
}

/** Which backend answered one chat completion made with the OpenAI SDK. */
export async function answeredBy(
  client: OpenAI,
  body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming,
  headers: Record<string, string> = {},
): Promise<string> {
  const { response } = await client.chat.completions.create(body, { headers }).withResponse();
  return response.headers.get('x-switchyard-backend') ?? 'none';
}

export function countBy(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** A prompt of about `bytes` bytes (the gateway estimates prompt tokens by bytes). */
export function longText(bytes: number): string {
  return 'lorem ipsum '.repeat(Math.ceil(bytes / 12)).slice(0, bytes);
}
