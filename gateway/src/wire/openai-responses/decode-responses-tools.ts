// Responses `tools` and `tool_choice` -> unified tools and tool choice, plus their echo for the
// `response` object. Function tools travel to the provider; `mcp` tools name MCP servers whose
// tools the gateway runs itself (decode-responses-mcp-tool.ts); OpenAI's other built-in tools
// (web_search, file_search, code_interpreter, computer_use_preview, image_generation, ...) run
// inside OpenAI and are refused with a 400 naming the tool type.

import { invalidRequest } from '../../errors/gateway-error.js';
import type { ResponsesTool, ResponsesToolChoice } from './openai-responses-types.js';
import type { HostedMcpServer, ToolChoice, UnifiedTool } from '../../unified/chat-request.js';
import { decodeResponsesMcpTool } from './decode-responses-mcp-tool.js';
import {
  optionalBoolean,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireOneOf,
  requireRecord,
} from '../request-fields/index.js';

interface DecodedResponsesTools {
  tools: UnifiedTool[];
  /** The `mcp` tools: servers whose tools the gateway runs. */
  hostedMcp: HostedMcpServer[];
  echo: ResponsesTool[];
}

export function decodeResponsesTools(value: unknown): DecodedResponsesTools {
  if (value === undefined || value === null) return { tools: [], hostedMcp: [], echo: [] };
  const tools: UnifiedTool[] = [];
  const hostedMcp: HostedMcpServer[] = [];
  const echo: ResponsesTool[] = [];
  requireArray(value, 'tools').forEach((entry, i) => {
    const path = `tools[${i}]`;
    const tool = requireRecord(entry, path);
    if (tool.type === 'mcp') {
      const decoded = decodeResponsesMcpTool(tool, path);
      hostedMcp.push(decoded.server);
      echo.push(decoded.echo);
      return;
    }
    if (tool.type !== 'function') {
      const type = typeof tool.type === 'string' ? tool.type : JSON.stringify(tool.type);
      throw invalidRequest(
        `'${path}.type': the built-in tool ${JSON.stringify(type)} runs inside OpenAI and is not supported by this gateway; only 'function' tools are`,
        `${path}.type`,
      );
    }
    const name = requireNonEmptyString(tool.name, `${path}.name`);
    const parameters =
      tool.parameters === undefined || tool.parameters === null ? undefined : requireRecord(tool.parameters, `${path}.parameters`);
    const description = optionalString(tool.description, `${path}.description`);
    const strict = optionalBoolean(tool.strict, `${path}.strict`);
    const decoded: UnifiedTool = { name, parameters: parameters ?? { type: 'object', properties: {} } };
    if (description !== undefined) decoded.description = description;
    // Left unset when the caller did not say: each provider then applies its own default.
    if (strict !== undefined) decoded.strict = strict;
    tools.push(decoded);
    echo.push({ type: 'function', name, description: description ?? null, parameters: parameters ?? null, strict: strict ?? null });
  });
  return { tools, hostedMcp, echo };
}

interface DecodedResponsesToolChoice {
  choice: ToolChoice | undefined;
  /** For `allowed_tools`: the only tools the model may see this turn. */
  allowedToolNames: Set<string> | undefined;
  echo: ResponsesToolChoice;
}

export function decodeResponsesToolChoice(value: unknown): DecodedResponsesToolChoice {
  if (value === undefined || value === null) return { choice: undefined, allowedToolNames: undefined, echo: 'auto' };
  if (typeof value === 'string') {
    const mode = requireOneOf(value, ['auto', 'none', 'required'] as const, 'tool_choice');
    return { choice: { type: mode }, allowedToolNames: undefined, echo: mode };
  }
  const choice = requireRecord(value, 'tool_choice');
  switch (choice.type) {
    case 'function': {
      const name = requireNonEmptyString(choice.name, 'tool_choice.name');
      return { choice: { type: 'tool', name }, allowedToolNames: undefined, echo: { type: 'function', name } };
    }
    case 'allowed_tools': {
      const mode = requireOneOf(choice.mode, ['auto', 'required'] as const, 'tool_choice.mode');
      const names = new Set<string>();
      const echoed: Array<Record<string, unknown>> = [];
      requireArray(choice.tools, 'tool_choice.tools').forEach((entry, i) => {
        const path = `tool_choice.tools[${i}]`;
        const tool = requireRecord(entry, path);
        if (tool.type !== 'function')
          throw invalidRequest(`'${path}.type' must be 'function': only function tools are supported by this gateway`, `${path}.type`);
        const name = requireNonEmptyString(tool.name, `${path}.name`);
        names.add(name);
        echoed.push({ type: 'function', name });
      });
      return { choice: { type: mode }, allowedToolNames: names, echo: { type: 'allowed_tools', mode, tools: echoed } };
    }
    default: {
      const type = typeof choice.type === 'string' ? choice.type : JSON.stringify(choice.type);
      throw invalidRequest(
        `'tool_choice': ${JSON.stringify(type)} is not supported by this gateway; use 'auto', 'none', 'required', {"type": "function", "name": ...} or {"type": "allowed_tools", ...}`,
        'tool_choice.type',
      );
    }
  }
}

/** Applies `allowed_tools`: the model sees only the listed tools, each of which must exist. */
export function restrictTools(tools: UnifiedTool[], allowed: Set<string> | undefined): UnifiedTool[] {
  if (allowed === undefined) return tools;
  const known = new Set(tools.map((tool) => tool.name));
  for (const name of allowed) {
    if (!known.has(name))
      throw invalidRequest(`'tool_choice.tools': ${JSON.stringify(name)} is not one of the request's tools`, 'tool_choice.tools');
  }
  return tools.filter((tool) => allowed.has(tool.name));
}
