// What a Responses answer echoes of its request (instructions, tools, sampling settings...),
// written once per exchange and shared by the whole answer and every stream event.
import type { DecodedResponsesRequest } from './decode-responses-request.js';
import type { ResponsesEnvelope } from './encode-responses-response.js';
import { newResponseId } from './responses-ids.js';

/** The `response` object's fields that echo the request, with a new response id. */
export function createResponsesEnvelope(decoded: DecodedResponsesRequest, model: string, createdAt: number): ResponsesEnvelope {
  const { echo } = decoded;
  const envelope: ResponsesEnvelope = {
    id: newResponseId(),
    object: 'response',
    created_at: createdAt,
    background: false,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    model,
    parallel_tool_calls: echo.parallelToolCalls,
    previous_response_id: echo.previousResponseId,
    reasoning: echo.reasoning,
    store: echo.store,
    temperature: echo.temperature,
    text: { format: echo.textFormat },
    tool_choice: echo.toolChoice,
    tools: echo.tools,
    top_p: echo.topP,
    truncation: echo.truncation,
    metadata: echo.metadata,
  };
  if (echo.user !== undefined) envelope.user = echo.user;
  if (echo.safetyIdentifier !== undefined) envelope.safety_identifier = echo.safetyIdentifier;
  return envelope;
}
