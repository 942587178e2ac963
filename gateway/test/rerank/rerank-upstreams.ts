// Loopback rerank upstreams speaking each dialect's exact wire format, recording what they got.
// A document's score is the share of the query's words it holds, so the order is known.
//   cohere: POST .../v2/rerank, Bearer key required, v2 body (string documents; `return_documents`
//           is refused as v2 does not take it), answers `results` and `meta.billed_units.search_units`.
//   jina:   POST .../rerank (vLLM, Together, Infinity), answers every result with its document
//           and `usage` (`total_tokens`, or Together's `prompt_tokens` split).
import type { ServerResponse } from 'node:http';
import { logRecords } from '../governance/governance-fixtures.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';

export type RerankDialect = 'cohere' | 'vllm' | 'together';

export interface RerankUpstream {
  server: MockHttpServer;
  /** The requests that reached a rerank path. */
  rerankRequests(): RecordedRequest[];
  /** Tokens a Jina-style answer reports (default: the query and document characters). */
  reportTokens: number | undefined;
  /** Status to answer with instead of a ranking (a failing backend). */
  failWith: number | undefined;
}

function words(text: string): string[] {
  return text.toLowerCase().split(/\W+/).filter(Boolean);
}

function score(query: string, document: string): number {
  const queryWords = words(query);
  const documentWords = new Set(words(document));
  const hits = queryWords.filter((w) => documentWords.has(w)).length;
  return Math.round((hits / Math.max(1, queryWords.length)) * 1000) / 1000 + document.length / 1e6;
}

function ranked(query: string, documents: string[], topN: number | undefined): Array<{ index: number; relevance_score: number }> {
  const all = documents.map((document, index) => ({ index, relevance_score: score(query, document) }));
  all.sort((a, b) => b.relevance_score - a.relevance_score);
  return topN === undefined ? all : all.slice(0, topN);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startRerankUpstream(dialect: RerankDialect, apiKey = 'upstream-secret'): Promise<RerankUpstream> {
  const path = dialect === 'cohere' ? '/v2/rerank' : '/rerank';
  const upstream: RerankUpstream = {
    server: undefined as unknown as MockHttpServer,
    rerankRequests: () => upstream.server.requests.filter((r) => r.url.endsWith(path)),
    reportTokens: undefined,
    failWith: undefined,
  };
  upstream.server = await startMockHttpServer((request, res) => {
    if (request.method !== 'POST' || !request.url.endsWith(path)) return reply(res, 404, { message: `no route ${request.url}` });
    if (request.headers.authorization !== `Bearer ${apiKey}`) return reply(res, 401, { message: 'invalid api token' });
    if (upstream.failWith !== undefined) return reply(res, upstream.failWith, { message: 'upstream is unwell' });
    const body = request.json as { model?: unknown; query?: unknown; documents?: unknown; top_n?: unknown; return_documents?: unknown };
    const documents = body.documents;
    if (
      typeof body.model !== 'string' ||
      typeof body.query !== 'string' ||
      !Array.isArray(documents) ||
      documents.some((d) => typeof d !== 'string')
    )
      return reply(res, 400, { message: 'model, query and string documents are required' });
    const topN = typeof body.top_n === 'number' ? body.top_n : undefined;
    const results = ranked(body.query, documents as string[], topN);
    if (dialect === 'cohere') {
      if (body.return_documents !== undefined)
        return reply(res, 400, { message: 'invalid request: return_documents is not a valid v2 field' });
      return reply(res, 200, {
        id: 'cohere-rerank-1',
        results,
        meta: { api_version: { version: '2' }, billed_units: { search_units: Math.ceil(documents.length / 100) } },
      });
    }
    const tokens = upstream.reportTokens ?? body.query.length * documents.length + (documents as string[]).join('').length;
    const withDocuments = results.map((r) => ({ ...r, document: { text: (documents as string[])[r.index] } }));
    if (dialect === 'together')
      return reply(res, 200, {
        object: 'rerank',
        id: 'together-rerank-1',
        model: body.model,
        results: results.map((r) => ({ ...r, document: null })),
        usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens },
      });
    return reply(res, 200, { id: 'rerank-vllm-1', model: body.model, usage: { total_tokens: tokens }, results: withDocuments });
  });
  return upstream;
}

/** A rerank backend of `provider` pointed at a mock upstream, with its key from the `rerank` Secret. */
export function rerankBackend(
  name: string,
  provider: string,
  baseURL: string,
  options: { model?: string; pricing?: Record<string, string> } = {},
): Record<string, unknown> {
  const backend: Record<string, unknown> = {
    name,
    provider,
    model: options.model ?? `${name}-model`,
    baseURL,
    credentials: [{ secretRef: { name: 'rerank', key: 'apiKey' } }],
  };
  if (options.pricing !== undefined) backend.pricing = options.pricing;
  return backend;
}

export const QUERY = 'what is the capital of France';
export const DOCUMENTS = [
  'Berlin is the capital of Germany.',
  'Paris is the capital of France.',
  'Bananas are rich in potassium.',
  'France is a country in Europe.',
];
/** The documents best first, by the mock's score. */
export const EXPECTED_ORDER = [1, 0, 3, 2];

/** The gateway's log line for one request, waited for: it is written after the answer is sent. */
export async function requestLine(gateway: GatewayProcess, requestId: string | null): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = logRecords(gateway).find((record) => record.msg === 'request' && record.requestId === requestId);
    if (line !== undefined || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
