// `:countTokens`: body -> the unified request it describes, and the count -> Google's answer.
//
// The body is either `{contents}` or `{generateContentRequest: {contents, systemInstruction,
// tools, ...}}` (Google refuses both at once, and so does the gateway). The count is the
// gateway's estimate, not a tokenizer's: no route is called, so it costs nothing and works for
// every backend, and it is the estimate every front door gives for the same conversation
// (unified/estimate-input-tokens.ts, documented in docs/frontdoors/gemini.md). Callers that
// need Google's exact count should send the request itself and read usageMetadata.

import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import { decodeGenerateContentFields } from './decode-gemini-generate-content-request.js';
import { publicModelName } from './gemini-model-names.js';
import type { GeminiCountTokensResponse } from './gemini-wire-types.js';
import type { UnifiedChatRequest } from '../../unified/chat-request.js';
import { estimateInputTokens } from '../../unified/estimate-input-tokens.js';
import type { CountTokensCodec, FrontDoorContext } from '../../unified/front-door-codec.js';
import { requireRecord } from '../request-fields/index.js';

function decodeGeminiCountTokensRequest(body: unknown, context: FrontDoorContext): UnifiedChatRequest {
  const b = requireRecord(body, 'body');
  const hasContents = b.contents !== undefined && b.contents !== null;
  const hasRequest = b.generateContentRequest !== undefined && b.generateContentRequest !== null;
  if (hasContents && hasRequest) throw invalidRequest('give contents or generateContentRequest, not both', 'generateContentRequest');
  const pathModel = context.pathModel === undefined ? '' : publicModelName(context.pathModel);
  if (pathModel === '') throw invalidRequest('the model is missing: call /genai/v1beta/models/{model}:countTokens', 'model');
  if (hasRequest) {
    const inner = requireRecord(b.generateContentRequest, 'generateContentRequest');
    if (inner.cachedContent !== undefined && inner.cachedContent !== null) {
      // The count is the gateway's own estimate, and the gateway never sees a cache's contents.
      throw invalidRequest(
        "countTokens with cachedContent is not supported: the gateway counts locally and cannot see the cache's contents",
        'generateContentRequest.cachedContent',
      );
    }
    try {
      return decodeGenerateContentFields(inner, pathModel, false);
    } catch (error) {
      throw nestedField(error, 'generateContentRequest.');
    }
  }
  return decodeGenerateContentFields({ contents: b.contents }, pathModel, false);
}

function encodeGeminiCountTokensResponse(totalTokens: number): GeminiCountTokensResponse {
  return { totalTokens };
}

/** `:countTokens` for the pipeline, which authorizes the path's model as for a real request. */
export const geminiCountTokensCodec: CountTokensCodec = {
  decodeCountTokensRequest: decodeGeminiCountTokensRequest,
  estimateInputTokens,
  encodeCountTokensResponse: (totalTokens) => JSON.stringify(encodeGeminiCountTokensResponse(totalTokens)),
};

/** Errors inside generateContentRequest name their field from the top of the body. */
function nestedField(error: unknown, prefix: string): unknown {
  if (!(error instanceof GatewayError) || error.param === undefined) return error;
  const param = error.param;
  const options = error.code === undefined ? { param: prefix + param } : { param: prefix + param, code: error.code };
  return new GatewayError(error.kind, error.message.split(param).join(prefix + param), options);
}
