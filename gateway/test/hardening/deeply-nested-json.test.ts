// A request nested thousands of levels deep (here a tool's parameter schema) is refused with a 400
// in the caller's format, naming the field and the depth limit, on every front door that reads a
// body; before the depth check it overflowed the stack in the decoders and answered 500.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_JSON_DEPTH } from '../../src/pipeline/ingress.js';
import { documents, HELLO, keyObjects, mockBackend, routeObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('deepjson');

/**
 * The text of a JSON schema `levels` objects deep: {type, properties: {a: {type, properties: {a: ...}}}}.
 * Built as text: JSON.stringify itself overflows the stack on such an object.
 */
function deepSchema(levels: number): string {
  return `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${'}}'.repeat(levels)}`;
}

/** Stands in for the schema in each body below, then is replaced by the schema's text. */
const SCHEMA = '@schema@';
const DEEP = deepSchema(4000);
const USER = [{ role: 'user', parts: [{ text: 'hello' }] }];

interface DoorCase {
  name: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Where the error message sits in the door's error shape. */
  message(json: unknown): string;
  /** The field where the limit was exceeded starts with this. */
  field: string;
}

const openAIMessage = (json: unknown): string => (json as { error: { message: string } }).error.message;
const anthropicMessage = (json: unknown): string => {
  const body = json as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe('error');
  expect(body.error.type).toBe('invalid_request_error');
  return body.error.message;
};
const googleMessage = (json: unknown): string => {
  const body = json as { error: { code: number; status: string; message: string } };
  expect(body.error.code).toBe(400);
  expect(body.error.status).toBe('INVALID_ARGUMENT');
  return body.error.message;
};

const bearer = { authorization: `Bearer ${key}` };
const anthropicHeaders = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
const googleHeaders = { 'x-goog-api-key': key };
const anthropicTools = [{ name: 'f', input_schema: SCHEMA }];
const geminiTools = [{ functionDeclarations: [{ name: 'f', parameters: SCHEMA }] }];

const DOORS: DoorCase[] = [
  {
    name: 'OpenAI chat',
    path: '/v1/chat/completions',
    headers: bearer,
    body: { model: 'echo', messages: HELLO, tools: [{ type: 'function', function: { name: 'f', parameters: SCHEMA } }] },
    message: openAIMessage,
    field: 'tools[0].function.parameters.properties.a.properties.a',
  },
  {
    name: 'OpenAI Responses',
    path: '/v1/responses',
    headers: bearer,
    body: { model: 'echo', input: 'hello', tools: [{ type: 'function', name: 'f', parameters: SCHEMA }] },
    message: openAIMessage,
    field: 'tools[0].parameters.properties.a',
  },
  {
    name: 'Anthropic messages',
    path: '/anthropic/v1/messages',
    headers: anthropicHeaders,
    body: { model: 'echo', max_tokens: 16, messages: HELLO, tools: anthropicTools },
    message: anthropicMessage,
    field: 'tools[0].input_schema.properties.a',
  },
  {
    name: 'Anthropic count_tokens',
    path: '/anthropic/v1/messages/count_tokens',
    headers: anthropicHeaders,
    body: { model: 'echo', messages: HELLO, tools: anthropicTools },
    message: anthropicMessage,
    field: 'tools[0].input_schema.properties.a',
  },
  {
    name: 'Gemini generateContent',
    path: '/genai/v1beta/models/echo:generateContent',
    headers: googleHeaders,
    body: { contents: USER, tools: geminiTools },
    message: googleMessage,
    field: 'tools[0].functionDeclarations[0].parameters.properties.a',
  },
  {
    name: 'Gemini countTokens',
    path: '/genai/v1beta/models/echo:countTokens',
    headers: googleHeaders,
    body: { contents: USER, tools: geminiTools },
    message: googleMessage,
    field: 'tools[0].functionDeclarations[0].parameters.properties.a',
  },
];

async function post(gateway: GatewayProcess, door: DoorCase, schema: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${gateway.url}${door.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...door.headers },
    body: JSON.stringify(door.body).replace(JSON.stringify(SCHEMA), schema),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // left as text: the assertions below then fail with the body in view
  }
  return { status: response.status, json };
}

describe('deeply nested request bodies', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })) },
    });
  });
  afterAll(async () => gateway?.stop());

  it.each(DOORS.map((door) => [door.name, door] as const))(
    '%s: a 4,000-level tool schema is a 400 naming the field and the limit',
    async (_name, door) => {
      expect(DEEP.length).toBeGreaterThan(100_000);
      const response = await post(gateway, door, DEEP);
      expect(response.status).toBe(400);
      const message = door.message(response.json);
      expect(message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
      expect(message).toContain(door.field);
      // The path in the message is bounded however deep the body goes.
      expect(message.length).toBeLessThan(1000);
    },
  );

  it.each(DOORS.map((door) => [door.name, door] as const))('%s: the same request within the limit is served', async (_name, door) => {
    const response = await post(gateway, door, deepSchema(8));
    expect(response.status).toBe(200);
  });

  it('refuses the first level past the limit and serves the last one within it', async () => {
    // The body is level 1, so an unknown field holding n nested arrays reaches level n + 1.
    const nested = (n: number): string =>
      `{"model":"echo","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(n)}${']'.repeat(n)}}`;
    const send = (body: string): Promise<Response> =>
      fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer }, body });
    expect((await send(nested(MAX_JSON_DEPTH - 1))).status).toBe(200);
    const refused = await send(nested(MAX_JSON_DEPTH));
    expect(refused.status).toBe(400);
    const error = (await refused.json()) as { error: { message: string; param: string } };
    // The first array too deep is x followed by MAX_JSON_DEPTH - 1 indexes: a path longer than
    // what an error repeats, so it comes back cut short with its full length.
    const fullPath = `x${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`;
    expect(fullPath.startsWith(error.error.param.split('...')[0] as string)).toBe(true);
    expect(error.error.param).toContain(`(${fullPath.length} characters, truncated`);
  });

  it('keeps serving after the deep bodies', async () => {
    const door = DOORS[0] as DoorCase;
    const response = await post(gateway, door, '{"type":"object"}');
    expect(response.status).toBe(200);
    expect(gateway.logs()).not.toContain('Maximum call stack size exceeded');
  });
});
