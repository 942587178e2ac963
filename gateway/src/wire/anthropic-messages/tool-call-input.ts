// Unified tool calls carry arguments as JSON text (OpenAI's shape); Anthropic's `tool_use`
// carries a parsed object. An empty string is how OpenAI-format clients send "no arguments".

type ParsedToolInput = { ok: true; input: Record<string, unknown> } | { ok: false; problem: string };

export function parseToolCallInput(argumentsText: string): ParsedToolInput {
  if (argumentsText.trim() === '') return { ok: true, input: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(argumentsText);
  } catch (error) {
    return { ok: false, problem: `arguments are not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'arguments must be a JSON object' };
  }
  return { ok: true, input: parsed as Record<string, unknown> };
}
