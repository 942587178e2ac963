// Converse has no JSON mode. `response_format` is served the way Bedrock's own documentation
// suggests for structured output: one extra tool whose input schema is the wanted schema, which
// the model is made to call; the decoders turn that call back into the answer's text.

import type { ResponseFormat } from '../../unified/chat-request.js';
import type { ConverseToolSpec } from '../../formats/bedrock/converse-types.js';

/** Reserved tool name; a caller tool with this name is refused. */
export const JSON_RESPONSE_TOOL_NAME = 'switchyard_json_response';

export function jsonResponseToolSpec(format: ResponseFormat | undefined): ConverseToolSpec | undefined {
  if (!format || format.type === 'text') return undefined;
  const schema = format.type === 'json_schema' ? format.schema : { type: 'object', additionalProperties: true };
  const description =
    format.type === 'json_schema'
      ? `Respond with the final answer (${format.name}) as this tool's input.${format.description ? ` ${format.description}` : ''}`
      : 'Respond with the final answer as a JSON object passed as this tool\'s input.';
  return { toolSpec: { name: JSON_RESPONSE_TOOL_NAME, description, inputSchema: { json: schema } } };
}
