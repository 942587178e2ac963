// POST /anthropic/v1/messages/count_tokens: the gateway's estimate of a request's input tokens,
// computed without calling any provider (the request may be routed to a provider with no
// counting API, and a count must not cost an upstream call). The estimate is the one every front
// door gives for the same conversation (unified/estimate-input-tokens.ts, documented in
// docs/frontdoors/anthropic.md).

import type { CountTokensCodec } from '../../unified/front-door-codec.js';
import { estimateInputTokens } from '../../unified/estimate-input-tokens.js';
import { decodeAnthropicMessagesRequest } from './decode-anthropic-messages-request.js';

/** count_tokens for the pipeline, which authorizes the decoded request's model as for a real request (403/404 otherwise). */
export const anthropicCountTokensCodec: CountTokensCodec = {
  decodeCountTokensRequest: (body) => decodeAnthropicMessagesRequest(body, { countTokens: true }),
  estimateInputTokens,
  encodeCountTokensResponse: (inputTokens) => JSON.stringify({ input_tokens: inputTokens }),
};
