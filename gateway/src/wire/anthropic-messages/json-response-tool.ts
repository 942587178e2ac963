// Anthropic has no response_format on every model, so a JSON-schema answer is requested as a
// call to one forced tool whose input schema is the requested schema; the decoders turn that
// call back into the text answer. The name is reserved: a caller's tool may not use it.

export const JSON_RESPONSE_TOOL_NAME = 'switchyard_json_response';

export function isJsonResponseTool(name: string): boolean {
  return name === JSON_RESPONSE_TOOL_NAME;
}
