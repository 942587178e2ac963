// Unified embeddings request -> Bedrock InvokeModel body for the model's family. Nothing is
// dropped silently: an input count, a dimension or a model the family cannot serve is refused
// with a 400 naming the model and the limit.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import { bedrockEmbeddingFamily } from './bedrock-embedding-model.js';

interface TitanEmbeddingsBody {
  inputText: string;
  dimensions?: number;
  normalize?: boolean;
}

type CohereEmbedInputType = 'search_document' | 'search_query' | 'classification' | 'clustering';

interface CohereEmbedBody {
  texts: string[];
  input_type: CohereEmbedInputType;
}

type BedrockEmbeddingsBody = TitanEmbeddingsBody | CohereEmbedBody;

const TITAN_V2_DIMENSIONS = [256, 512, 1024] as const;
const COHERE_MAX_TEXTS_PER_CALL = 96;

/**
 * Gemini task types (carried by the unified request) -> Cohere input types. Without one the
 * texts are embedded as documents: that is what gets indexed, and OpenAI-shaped callers have
 * no way to say which side of a search they embed.
 */
const COHERE_INPUT_TYPE_BY_TASK: Record<string, CohereEmbedInputType> = {
  RETRIEVAL_QUERY: 'search_query',
  QUESTION_ANSWERING: 'search_query',
  FACT_VERIFICATION: 'search_query',
  CODE_RETRIEVAL_QUERY: 'search_query',
  RETRIEVAL_DOCUMENT: 'search_document',
  SEMANTIC_SIMILARITY: 'search_document',
  CLASSIFICATION: 'classification',
  CLUSTERING: 'clustering',
};

export function convertToBedrockEmbeddings(request: UnifiedEmbeddingsRequest, modelId: string): BedrockEmbeddingsBody {
  const family = bedrockEmbeddingFamily(modelId);
  if (request.input.length === 0) throw invalidRequest('input must hold at least one text to embed', 'input');

  if (family === 'cohere') {
    if (request.input.length > COHERE_MAX_TEXTS_PER_CALL) {
      throw new UnsupportedFeatureError(
        `${request.input.length} inputs in one request for ${modelId}, which embeds at most ${COHERE_MAX_TEXTS_PER_CALL} texts per call`,
        'bedrock',
      );
    }
    if (request.dimensions !== undefined) {
      throw new UnsupportedFeatureError(`dimensions for ${modelId}, whose embeddings have a fixed size`, 'bedrock');
    }
    const inputType = request.taskType === undefined ? 'search_document' : COHERE_INPUT_TYPE_BY_TASK[request.taskType];
    if (inputType === undefined) throw new UnsupportedFeatureError(`task type ${request.taskType ?? ''} for ${modelId}`, 'bedrock');
    return { texts: request.input, input_type: inputType };
  }

  // Titan embeds one text per InvokeModel call; fanning out would turn one request into many
  // upstream calls with separate failures, so more than one input is refused instead.
  if (request.input.length > 1) {
    throw new UnsupportedFeatureError(
      `${request.input.length} inputs in one request for ${modelId}, which embeds one input per call (send one text per request)`,
      'bedrock',
    );
  }
  const inputText = request.input[0] as string;
  if (family === 'titan') {
    if (request.dimensions !== undefined)
      throw new UnsupportedFeatureError(`dimensions for ${modelId}, whose embeddings have a fixed size`, 'bedrock');
    return { inputText };
  }
  const body: TitanEmbeddingsBody = { inputText, normalize: true };
  if (request.dimensions !== undefined) {
    if (!(TITAN_V2_DIMENSIONS as readonly number[]).includes(request.dimensions)) {
      throw new UnsupportedFeatureError(
        `dimensions ${request.dimensions} for ${modelId}, which takes ${TITAN_V2_DIMENSIONS.join(', ')}`,
        'bedrock',
      );
    }
    body.dimensions = request.dimensions;
  }
  return body;
}
