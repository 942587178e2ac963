// UnifiedRerankRequest -> the body of the Bedrock Agent Runtime's `Rerank` operation
// (`POST /rerank`): one text query, the documents as inline text sources, and the reranking model
// by ARN. `numberOfResults` is always sent (top_n, else every document): Bedrock's default is not
// every document. `max_tokens_per_doc` has no place in it and is not sent.

import type { UnifiedRerankRequest } from '../../unified/rerank.js';

/** A foundation-model id becomes its ARN in the backend's region; an ARN (a provisioned or imported model) is kept. */
export function bedrockRerankModelArn(model: string, region: string): string {
  return model.startsWith('arn:') ? model : `arn:aws:bedrock:${region}::foundation-model/${model}`;
}

export function convertToBedrockRerankRequest(request: UnifiedRerankRequest, modelArn: string): Record<string, unknown> {
  return {
    queries: [{ type: 'TEXT', textQuery: { text: request.query } }],
    sources: request.documents.map((text) => ({ type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text } } })),
    rerankingConfiguration: {
      type: 'BEDROCK_RERANKING_MODEL',
      bedrockRerankingConfiguration: {
        numberOfResults: Math.min(request.topN ?? request.documents.length, request.documents.length),
        modelConfiguration: { modelArn },
      },
    },
  };
}
