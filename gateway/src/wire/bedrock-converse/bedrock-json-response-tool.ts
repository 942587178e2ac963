// Converse has no JSON mode. A json_schema answer with an object root is requested as a call to
// one forced tool whose input schema is the requested schema (the way Bedrock's documentation
// suggests for structured output; it works on every model with tool use); the decoders turn that
// call back into the answer text. Where a tool cannot be forced (Claude with extended thinking),
// where the root is not an object, and for json_object, a system instruction asks for JSON.
// Same rules as the anthropic provider, so a route failing over between them behaves alike.

import type { ResponseFormat } from '../../unified/chat-request.js';
import type { ConverseToolSpec } from './converse-types.js';

/** Reserved tool name; a caller tool with this name is refused. */
export const JSON_RESPONSE_TOOL_NAME = 'switchyard_json_response';

export type JsonAnswerPlan = { kind: 'tool'; spec: ConverseToolSpec } | { kind: 'instruction'; text: string } | undefined;

export function planJsonAnswer(format: ResponseFormat | undefined, toolCanBeForced: boolean): JsonAnswerPlan {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return { kind: 'instruction', text: 'Respond with a single valid JSON object and nothing else: no prose, no code fences.' };
  }
  if (toolCanBeForced && format.schema['type'] === 'object') {
    const description = format.description ?? `Give the final answer as this tool's input. It must match the "${format.name}" schema.`;
    return { kind: 'tool', spec: { toolSpec: { name: JSON_RESPONSE_TOOL_NAME, description, inputSchema: { json: format.schema } } } };
  }
  return {
    kind: 'instruction',
    text: `Respond with a single valid JSON value and nothing else (no prose, no code fences) that conforms to this JSON Schema named "${format.name}":\n${JSON.stringify(format.schema)}`,
  };
}
