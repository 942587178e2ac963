// A rerank request and answer: one query, the documents to order by relevance to it. The shape
// most rerank APIs share (Cohere, Jina, vLLM, Together, Infinity); the wire folder
// `wire/rerank/` reads and writes each of them.

export interface UnifiedRerankRequest {
  model: string;
  query: string;
  /** The documents' texts, in the caller's order (a result's `index` points here). */
  documents: string[];
  /** How many results to return, best first; undefined: all of them. */
  topN?: number;
  /** The caller wants each result's document text back (the gateway adds it from the request). */
  returnDocuments: boolean;
  /** Cohere's per-document truncation, in tokens; sent only to upstreams that take it. */
  maxTokensPerDoc?: number;
}

export interface RerankResult {
  /** Position of the document in the request's `documents`. */
  index: number;
  relevanceScore: number;
}

export interface UnifiedRerankResponse {
  id: string;
  model: string;
  /** Best first. */
  results: RerankResult[];
  /** Tokens the upstream reports having read; undefined when it reports none (Cohere bills search units). */
  inputTokens?: number;
  /** Cohere's billing unit: one query with up to 100 documents (longer documents count as several). */
  searchUnits?: number;
}
