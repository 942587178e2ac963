// Shared set-up for the semantic cache tests: chat routes on the numbering OpenAI upstream of the
// exact-cache tests (so a test can tell a stored answer from a fresh one and count upstream
// calls) with `spec.cache.semantic` pointing at an embedding route served by the `mock` provider,
// whose embeddings make paraphrases close (providers/mock/mock-embeddings.ts).
import type OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { API_VERSION, openAIBackend, secretObject } from '../../core/core-fixtures.js';
import { keyObjects, manifestsOf, openAIClient, startCountingUpstream, type CountingUpstream } from '../cache-fixtures.js';

export { keyObjects, manifestsOf, startCountingUpstream, testKey, type CountingUpstream } from '../cache-fixtures.js';

const EMBEDDER = 'embedder';

export interface SemanticRouteSpec {
  name: string;
  namespace?: string;
  upstreamUrl: string;
  scope?: 'VirtualKey' | 'Namespace';
  semantic?: Record<string, unknown>;
  pricing?: { inputPerMillion: string; outputPerMillion: string };
}

/** A chat route with an exact and a semantic cache (1h ttl), and the Secret of its OpenAI backend. */
export function semanticRoute(spec: SemanticRouteSpec): unknown[] {
  const namespace = spec.namespace ?? 'default';
  const backend = openAIBackend(`${spec.name}-backend`, spec.upstreamUrl);
  if (spec.pricing !== undefined) backend.pricing = spec.pricing;
  const cache: Record<string, unknown> = { ttl: '1h', semantic: { embeddingModel: EMBEDDER, ...spec.semantic } };
  if (spec.scope !== undefined) cache.scope = spec.scope;
  return [
    secretObject('openai', { apiKey: 'sk-upstream-test' }, namespace),
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: spec.name, namespace },
      spec: { model: spec.name, backends: [backend], retry: { attempts: 1 }, cache },
    },
  ];
}

/**
 * The common set-up of a semantic cache test: the counting upstream, and a gateway with one key
 * (`keyName`, `key`), the embedding route and the chat route `chat` (its semantic block extended
 * by `semantic`), started with `args`.
 */
export async function startSemanticGateway(options: {
  keyName: string;
  key: string;
  semantic?: Record<string, unknown>;
  args?: string[];
}): Promise<{ upstream: CountingUpstream; gateway: GatewayProcess }> {
  const upstream = await startCountingUpstream();
  const gateway = await startGateway({
    manifests: {
      'all.yaml': manifestsOf(
        ...keyObjects({ name: options.keyName, key: options.key }),
        embedderRoute(),
        ...semanticRoute({
          name: 'chat',
          upstreamUrl: upstream.server.url,
          ...(options.semantic === undefined ? {} : { semantic: options.semantic }),
        }),
      ),
    },
    ...(options.args === undefined ? {} : { args: options.args }),
  }).catch(async (error: unknown) => {
    await upstream.close();
    throw error;
  });
  return { upstream, gateway };
}

/** The embedding route (`embedder`, in `default`, which every namespace shares): one mock backend. */
export function embedderRoute(pricing?: { inputPerMillion: string; outputPerMillion: string }): unknown {
  const backend: Record<string, unknown> = { name: 'mock-embedder', provider: 'mock', model: 'mock-embedding' };
  if (pricing !== undefined) backend.pricing = pricing;
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name: EMBEDDER, namespace: 'default' },
    spec: { model: EMBEDDER, backends: [backend] },
  };
}

export interface Answer {
  cache: string | null;
  similarity: number | undefined;
  text: string | null | undefined;
}

type Messages = OpenAI.Chat.Completions.ChatCompletionMessageParam[];

export interface AskOptions {
  headers?: Record<string, string>;
  temperature?: number;
  tools?: OpenAI.Chat.Completions.ChatCompletionTool[];
  system?: string;
  maxTokens?: number;
}

/** A non-streamed chat completion through the OpenAI SDK, with its cache headers. */
export async function ask(
  gateway: GatewayProcess,
  key: string,
  model: string,
  question: string | Messages,
  options: AskOptions = {},
): Promise<Answer> {
  const messages: Messages = typeof question === 'string' ? [{ role: 'user', content: question }] : question;
  if (options.system !== undefined) messages.unshift({ role: 'system', content: options.system });
  const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = { model, messages };
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.tools !== undefined) body.tools = options.tools;
  if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
  const { data, response } = await openAIClient(gateway, key)
    .chat.completions.create(body, options.headers === undefined ? {} : { headers: options.headers })
    .withResponse();
  return answerOf(response.headers, data.choices[0]?.message.content);
}

export function answerOf(headers: Headers, text: string | null | undefined): Answer {
  const similarity = headers.get('x-switchyard-cache-similarity');
  return { cache: headers.get('x-switchyard-cache'), similarity: similarity === null ? undefined : Number(similarity), text };
}

/**
 * Asks `question` until its exact entry is served: the store follows the answer, and the vector
 * is stored right after the answer, so from then on a paraphrase can find it.
 */
export async function askAndStore(
  gateway: GatewayProcess,
  key: string,
  model: string,
  question: string | Messages,
  options: AskOptions = {},
): Promise<Answer> {
  const first = await ask(gateway, key, model, structuredClone(question), options);
  for (let i = 0; i < 100; i++) {
    if ((await ask(gateway, key, model, structuredClone(question), options)).cache === 'hit') return first;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`"${JSON.stringify(question)}" was never stored`);
}

/** The sum of a counter's series whose labels include every given label. */
export async function metricSum(gateway: GatewayProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Upstream attempts on the embedding route so far: how many embedding calls the cache made. */
export function embeddingCalls(gateway: GatewayProcess): Promise<number> {
  return metricSum(gateway, 'switchyard_upstream_attempts_total', { route: `default/${EMBEDDER}` });
}
