// Which InvokeModel body an embedding model id takes. Bedrock has no common embeddings API: each
// model family defines its own body, so the family is read from the model id. Ids may be a
// cross-region inference profile (`us.cohere.embed-...`) or an ARN ending in the model id.

import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';

type BedrockEmbeddingFamily =
  /** `amazon.titan-embed-text-v2:0`: one text per call, dimensions 256/512/1024, normalize. */
  | 'titan-v2'
  /** `amazon.titan-embed-text-v1` and other Titan embedders: one text per call, nothing else. */
  | 'titan'
  /** `cohere.embed-english-v3`, `cohere.embed-multilingual-v3`: up to 96 texts per call. */
  | 'cohere';

const GEOGRAPHY_PREFIX = /^(?:us|eu|apac|us-gov|ca|jp|au|global)\./;

/** `arn:...:foundation-model/amazon.titan-embed-text-v2:0` or `us.cohere.embed-v4:0` -> the bare model id. */
export function bareBedrockModelId(modelId: string): string {
  const lastSegment = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  return lastSegment.replace(GEOGRAPHY_PREFIX, '');
}

export function bedrockEmbeddingFamily(modelId: string): BedrockEmbeddingFamily {
  const bare = bareBedrockModelId(modelId);
  if (bare.startsWith('amazon.titan-embed-text-v2')) return 'titan-v2';
  if (bare.startsWith('amazon.titan-embed')) return 'titan';
  if (bare.startsWith('cohere.embed')) return 'cohere';
  throw new UnsupportedFeatureError(
    `embeddings with model ${JSON.stringify(modelId)} (Bedrock embeddings serve amazon.titan-embed-* and cohere.embed-* models)`,
    'bedrock',
  );
}
