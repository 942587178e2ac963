// Guardrails on MCP tool calls through `POST /mcp` (docs/guardrails.md, "MCP tool calls"): input
// checks on the arguments before they go upstream (a redact rewrites them), output checks on the
// result before it goes back, with the key's policies (those without a routeSelector: no
// ModelRoute serves a tool call). Every string in the arguments, and the text of the result
// (text parts, embedded text resources, every string of structuredContent), is one text to check,
// so a placeholder never breaks the JSON. A block is a GatewayError the MCP server answers as a
// JSON-RPC error; the decisions land on the exchange like a chat request's.
import type { McpToolGuard } from '../../mcp/mcp-server.js';
import type { Exchange } from '../exchange.js';
import { checkSlots, restoreSlots, stateOf } from './guardrail-stages.js';
import { guardrailsForTools } from './guardrail-set.js';
import type { TextSlot } from './text-slots.js';

/** A slot for every string inside `value` (object values and array items, not keys). */
function stringSlots(value: unknown, slots: TextSlot[] = []): TextSlot[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item === 'string') slots.push({ json: false, get: () => value[i] as string, set: (text) => void (value[i] = text) });
      else stringSlots(item, slots);
    });
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [name, item] of Object.entries(record)) {
      if (typeof item === 'string')
        slots.push({ json: false, get: () => record[name] as string, set: (text) => void (record[name] = text) });
      else stringSlots(item, slots);
    }
  }
  return slots;
}

/** The texts of a tools/call result: text parts, embedded text resources and structured content. */
function resultSlots(result: Record<string, unknown>): TextSlot[] {
  const slots: TextSlot[] = [];
  if (Array.isArray(result.content)) {
    for (const part of result.content as unknown[]) {
      if (part === null || typeof part !== 'object') continue;
      const record = part as Record<string, unknown>;
      if (record.type === 'text' && typeof record.text === 'string')
        slots.push({ json: false, get: () => record.text as string, set: (text) => void (record.text = text) });
      const resource = record.resource as Record<string, unknown> | undefined;
      if (record.type === 'resource' && resource !== null && typeof resource === 'object' && typeof resource.text === 'string')
        slots.push({ json: false, get: () => resource.text as string, set: (text) => void (resource.text = text) });
    }
  }
  if (result.structuredContent !== undefined) stringSlots(result.structuredContent, slots);
  return slots;
}

/** The guard for this request's tool call; undefined when no policy applies to the key (nothing to do). */
export function mcpToolGuard(exchange: Exchange): McpToolGuard | undefined {
  const set = guardrailsForTools(exchange.table, exchange.key);
  if (set === undefined) return undefined;
  return {
    checkArguments(args) {
      if (args === undefined || set.input.length + set.inputHooks.length === 0) return args;
      const checked = structuredClone(args);
      const pending = checkSlots(set.input, set.inputHooks, stringSlots(checked), 'input', exchange);
      return pending === undefined ? checked : pending.then(() => checked);
    },
    checkResult(result) {
      const hasOutput = set.output.length + set.outputHooks.length > 0;
      if (!hasOutput && !(set.restore && exchange.guardrails !== undefined)) return result;
      const checked = structuredClone(result);
      const slots = resultSlots(checked);
      const restore = (): Record<string, unknown> => {
        if (set.restore) restoreSlots(slots, stateOf(exchange));
        return checked;
      };
      if (!hasOutput) return restore();
      const pending = checkSlots(set.output, set.outputHooks, slots, 'output', exchange);
      return pending === undefined ? restore() : pending.then(restore);
    },
  };
}
