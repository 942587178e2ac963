// Shared set-up for the guardrail tests: a scripted OpenAI upstream that records what reached it
// and answers what the prompt asks (`SAY:a|b|c` streams the chunks a, b, c; `BURST:` writes them
// all at once; `SLOW:` pauses after
// the first chunk until released; `TOOL:a|b` streams a tool call whose arguments come in pieces), a webhook service, and manifest builders. Every test drives
// the real gateway process (standalone) with the official SDKs.
import type { ServerResponse } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { API_VERSION, documents, keyObjects, openAIBackend, secretObject } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

export { openAIClient, testKey } from '../core/core-fixtures.js';

export interface ScriptedUpstream {
  server: MockHttpServer;
  /** Chat bodies received, in order. */
  bodies(): Array<{ messages: Array<{ role: string; content: unknown; tool_calls?: unknown }> }>;
  /** Releases a `SLOW:` stream paused after its first chunk; records when. */
  release(): void;
  releasedAt(): number | undefined;
}

function lastUserText(body: { messages?: Array<{ role: string; content: unknown }> }): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (user === undefined) return '';
  if (typeof user.content === 'string') return user.content;
  return Array.isArray(user.content) ? user.content.map((p: { text?: string }) => p.text ?? '').join('') : '';
}

function chunk(delta: Record<string, unknown>, finishReason: string | null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-g', object: 'chat.completion.chunk', created: 1770933892, model: 'gpt-upstream', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], usage: null })}\n\n`;
}

const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  let releaseSlow: (() => void) | undefined;
  let releasedAt: number | undefined;
  const server = await startMockHttpServer(async (request: RecordedRequest, res: ServerResponse) => {
    const body = request.json as { stream?: boolean; messages?: Array<{ role: string; content: unknown }> };
    const prompt = lastUserText(body);
    const slow = prompt.startsWith('SLOW:');
    const burst = prompt.startsWith('BURST:');
    const said = /(?:SAY|SLOW|BURST):(.*)$/s.exec(prompt)?.[1];
    const parts = said === undefined ? ['ok'] : said.split('|');
    const tool = /^TOOL:(.*)$/s.exec(prompt)?.[1];
    if (body.stream === true && tool !== undefined) {
      // A streamed tool call whose arguments arrive in the given pieces.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        chunk(
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } }],
          },
          null,
        ),
      );
      for (const piece of tool.split('|')) res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
      res.write(chunk({}, 'tool_calls'));
      res.end('data: [DONE]\n\n');
      return;
    }
    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }, null));
      // BURST: every chunk in one write, so the gateway reads them as one batch.
      if (burst) res.write(parts.map((part) => chunk({ content: part }, null)).join(''));
      for (const [i, part] of (burst ? [] : parts).entries()) {
        res.write(chunk({ content: part }, null));
        if (slow && i === 0) {
          await new Promise<void>((resolve) => {
            releaseSlow = resolve;
          });
        } else {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      res.write(chunk({}, 'stop'));
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-g', object: 'chat.completion.chunk', created: 1770933892, model: 'gpt-upstream', choices: [], usage: USAGE })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-g',
        object: 'chat.completion',
        created: 1770933883,
        model: 'gpt-upstream',
        choices: [
          { index: 0, message: { role: 'assistant', content: parts.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' },
        ],
        usage: USAGE,
      }),
    );
  });
  return {
    server,
    bodies: () => server.requests.filter((r) => r.url.endsWith('/chat/completions')).map((r) => r.json as never),
    release() {
      releasedAt = performance.now();
      releaseSlow?.();
    },
    releasedAt: () => releasedAt,
  };
}

/** A GuardrailPolicy object (`checks` written as the CRD has them). */
export function policyObject(
  name: string,
  selector: Record<string, string>,
  checks: Array<Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'GuardrailPolicy',
    metadata: { name },
    spec: { selector: { matchLabels: selector }, checks, ...extra },
  };
}

/** The route `chat` on the scripted upstream, the given keys (name -> labels) and policies. */
export function guardrailManifests(
  upstreamUrl: string,
  keys: Array<{ name: string; key: string; labels: Record<string, string> }>,
  ...policies: unknown[]
): string {
  return documents(
    secretObject('openai', { apiKey: 'sk-upstream' }),
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: 'chat' },
      spec: { model: 'chat', backends: [openAIBackend('up', upstreamUrl)], retry: { attempts: 1 } },
    },
    ...keys.flatMap((k) => keyObjects(k)),
    ...policies,
  );
}

/**
 * The common set-up of a guardrail test: a scripted upstream and a gateway serving
 * guardrailManifests on it (with `args`, when given).
 */
export async function startGuardrailGateway(
  keys: Array<{ name: string; key: string; labels: Record<string, string> }>,
  policies: unknown[],
  args?: string[],
): Promise<{ upstream: ScriptedUpstream; gateway: GatewayProcess }> {
  const upstream = await startScriptedUpstream();
  const gateway = await startGateway({
    manifests: { 'all.yaml': guardrailManifests(upstream.server.url, keys, ...policies) },
    ...(args === undefined ? {} : { args }),
  }).catch(async (error: unknown) => {
    await upstream.server.close();
    throw error;
  });
  return { upstream, gateway };
}

export function anthropicClient(gateway: GatewayProcess, key: string): Anthropic {
  return new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
}

// The SDK's fetch bound in this realm (as the Gemini front-door tests do).
const realmFetch: typeof fetch = (input, init) => fetch(input, init);

export function geminiClient(gateway: GatewayProcess, key: string): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: key,
    httpOptions: { baseUrl: `${gateway.url}/genai`, retryOptions: { attempts: 1 }, timeout: 20_000, fetch: realmFetch },
  });
}

/** The request log lines the gateway wrote, parsed. */
export function requestLines(gateway: GatewayProcess): Array<Record<string, unknown>> {
  return gateway
    .logs()
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The message text an upstream chat body carried for its last user message. */
export function lastUserContent(body: { messages: Array<{ role: string; content: unknown }> }): string {
  return lastUserText(body);
}
