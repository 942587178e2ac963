// How generation ended (unified finish reason) -> the Responses status, with
// incomplete_details or error. A refusal is a completed response whose message holds a refusal
// part; an upstream that reports it stopped on an error makes the response `failed`.

import type { FinishReason } from '../../unified/chat-response.js';
import type { ResponsesError, ResponsesResponse } from './openai-responses-types.js';

export interface ResponsesOutcome {
  status: 'completed' | 'incomplete' | 'failed';
  incompleteDetails: ResponsesResponse['incomplete_details'];
  error: ResponsesError | null;
}

export function responsesOutcome(finishReason: FinishReason): ResponsesOutcome {
  switch (finishReason) {
    case 'length':
      return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' }, error: null };
    case 'content_filter':
      return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' }, error: null };
    case 'error':
      return {
        status: 'failed',
        incompleteDetails: null,
        error: { code: 'server_error', message: 'The upstream model stopped with an error.' },
      };
    default:
      return { status: 'completed', incompleteDetails: null, error: null };
  }
}
