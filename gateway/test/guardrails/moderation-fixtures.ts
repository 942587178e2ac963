// A mock OpenAI-compatible upstream that answers /v1/moderations (a text is flagged for violence
// when it holds "kill") and /v1/chat/completions (echoing the last user text), recording both.
import type { ServerResponse } from 'node:http';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

export interface ModerationUpstream {
  server: MockHttpServer;
  moderationBodies(): Array<{ model: string; input: unknown }>;
  chatBodies(): Array<{ messages: Array<{ role: string; content: unknown }> }>;
  /** Makes /v1/moderations wait this long before answering (a slow classifier). */
  delayMs: number;
}

function verdict(text: string): Record<string, unknown> {
  const violent = /kill/i.test(text);
  return {
    flagged: violent,
    categories: { violence: violent, harassment: false },
    category_scores: { violence: violent ? 0.97 : 0.01, harassment: 0.001 },
  };
}

export async function startModerationUpstream(): Promise<ModerationUpstream> {
  const upstream: ModerationUpstream = {
    server: undefined as unknown as MockHttpServer,
    moderationBodies: () => upstream.server.requests.filter((r) => r.url.endsWith('/moderations')).map((r) => r.json as never),
    chatBodies: () => upstream.server.requests.filter((r) => r.url.endsWith('/chat/completions')).map((r) => r.json as never),
    delayMs: 0,
  };
  upstream.server = await startMockHttpServer(async (request: RecordedRequest, res: ServerResponse) => {
    const body = request.json as { model?: string; input?: unknown; messages?: Array<{ role: string; content: unknown }> };
    if (request.url.endsWith('/moderations')) {
      if (upstream.delayMs > 0) await new Promise((r) => setTimeout(r, upstream.delayMs));
      const texts = typeof body.input === 'string' ? [body.input] : (body.input as string[]);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'modr-1', model: body.model, results: texts.map((text) => verdict(text)) }));
      return;
    }
    const last = body.messages?.at(-1)?.content;
    const text = typeof last === 'string' ? last : JSON.stringify(last);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-m',
        object: 'chat.completion',
        created: 1770933883,
        model: 'gpt-upstream',
        choices: [
          { index: 0, message: { role: 'assistant', content: `echo: ${text}`, refusal: null }, logprobs: null, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      }),
    );
  });
  return upstream;
}
