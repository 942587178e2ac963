// Shared set-up for the response cache tests: a mock OpenAI upstream that numbers its answers
// (so a test can tell a stored answer from a fresh one and count upstream calls), and manifest
// builders for cached routes and keys in several namespaces.
import type { ServerResponse } from 'node:http';
import { startMockHttpServer, writeSse, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';
import { API_VERSION, documents, openAIBackend, secretObject } from '../core/core-fixtures.js';

export { keyObjects, openAIClient, postJson, testKey } from '../core/core-fixtures.js';

/**
 * The last user message decides the behaviour: containing FILTER the answer is content-filtered,
 * ERROR the upstream answers 500, CUT a stream breaks off before it finishes.
 */
export interface CountingUpstream {
  server: MockHttpServer;
  /** Chat completion calls received so far. */
  calls(): number;
  close(): Promise<void>;
}

function lastUserText(request: RecordedRequest): string {
  const body = request.json as { messages?: Array<{ role: string; content: unknown }> } | undefined;
  const user = [...(body?.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (user === undefined) return '';
  if (typeof user.content === 'string') return user.content;
  return Array.isArray(user.content) ? user.content.map((p: { text?: string }) => p.text ?? '').join('') : '';
}

function chunk(id: string, delta: Record<string, unknown>, finishReason: string | null, usage: unknown = null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1770933892, model: 'gpt-upstream-2025', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], usage })}\n\n`;
}

const USAGE = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };

export async function startCountingUpstream(): Promise<CountingUpstream> {
  let count = 0;
  const server = await startMockHttpServer(async (request: RecordedRequest, res: ServerResponse) => {
    if (!request.url.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    count += 1;
    const prompt = lastUserText(request);
    const id = `chatcmpl-${count}`;
    const text = `answer #${count} to ${prompt}`;
    const finishReason = prompt.includes('FILTER') ? 'content_filter' : 'stop';
    if (prompt.includes('ERROR')) {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'upstream broke', type: 'server_error' } }));
      return;
    }
    const body = request.json as { stream?: boolean };
    if (body.stream === true) {
      if (prompt.includes('CUT')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk(id, { role: 'assistant', content: '' }, null));
        res.write(chunk(id, { content: text.slice(0, 6) }, null));
        await new Promise((r) => setTimeout(r, 50));
        res.destroy();
        return;
      }
      const words = text.match(/\S+\s*/g) ?? [];
      await writeSse(res, [
        chunk(id, { role: 'assistant', content: '' }, null),
        ...words.map((word) => chunk(id, { content: word }, null)),
        chunk(id, {}, finishReason),
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1770933892, model: 'gpt-upstream-2025', choices: [], usage: USAGE })}\n\n`,
        'data: [DONE]\n\n',
      ]);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created: 1770933883,
        model: 'gpt-upstream-2025',
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finishReason }],
        usage: USAGE,
      }),
    );
  });
  return {
    server,
    calls: () => count,
    close: () => server.close(),
  };
}

export interface CachedRouteSpec {
  name: string;
  namespace?: string;
  upstreamUrl: string;
  cache?: { ttl: string; scope?: 'VirtualKey' | 'Namespace' };
  pricing?: { inputPerMillion: string; outputPerMillion: string };
}

/** A ModelRoute with one OpenAI backend named `<name>-backend`, and the Secret it reads. */
export function cachedRoute(spec: CachedRouteSpec): unknown[] {
  const namespace = spec.namespace ?? 'default';
  const backend = openAIBackend(`${spec.name}-backend`, spec.upstreamUrl);
  if (spec.pricing !== undefined) backend.pricing = spec.pricing;
  const routeSpec: Record<string, unknown> = { model: spec.name, backends: [backend], retry: { attempts: 1 } };
  if (spec.cache !== undefined) routeSpec.cache = spec.cache;
  return [
    secretObject('openai', { apiKey: 'sk-upstream-test' }, namespace),
    { apiVersion: API_VERSION, kind: 'ModelRoute', metadata: { name: spec.name, namespace }, spec: routeSpec },
  ];
}

/** Unique Secret objects only: several routes of one namespace share the `openai` Secret. */
export function manifestsOf(...objects: unknown[]): string {
  const seen = new Set<string>();
  const unique = objects.filter((object) => {
    const o = object as { kind: string; metadata: { name: string; namespace?: string } };
    const id = `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return documents(...unique);
}
