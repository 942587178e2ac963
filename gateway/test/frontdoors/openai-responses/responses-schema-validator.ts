// Validates values against OpenAI's official Responses schemas (extracted from the OpenAPI spec
// into wire/openai-responses/__fixtures__/openai-responses-schemas.json by the script beside it).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { repoRoot } from '../../support/repo-paths.js';

/** `ResponseStreamEvent` is the union of every event; validating one event uses its own schema. */
export type ResponsesSchemaName = 'Response' | 'ResponseStreamEvent' | 'ErrorResponse' | 'MCPListTools' | 'MCPToolCall';

const FIXTURE = join(repoRoot, 'gateway', 'src', 'wire', 'openai-responses', '__fixtures__', 'openai-responses-schemas.json');

interface SchemaFixture {
  $defs: Record<string, { anyOf?: Array<{ $ref: string }>; properties?: { type?: { enum?: string[] } } }>;
}

let ajv: Ajv2020 | undefined;
let fixture: SchemaFixture | undefined;
let eventSchemas: Map<string, string> | undefined;
const validators = new Map<string, ValidateFunction>();

function loadFixture(): SchemaFixture {
  if (fixture === undefined) {
    fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as SchemaFixture;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(fixture as object, 'responses');
  }
  return fixture;
}

/** The schema of one event type (`response.output_text.delta` -> ResponseTextDeltaEvent). */
function eventSchemaName(type: unknown): string | undefined {
  if (eventSchemas === undefined) {
    const defs = loadFixture().$defs;
    eventSchemas = new Map();
    for (const member of defs.ResponseStreamEvent?.anyOf ?? []) {
      const name = member.$ref.replace('#/$defs/', '');
      for (const eventType of defs[name]?.properties?.type?.enum ?? []) eventSchemas.set(eventType, name);
    }
  }
  return typeof type === 'string' ? eventSchemas.get(type) : undefined;
}

function validatorFor(name: string): ValidateFunction {
  let validate = validators.get(name);
  if (validate) return validate;
  loadFixture();
  validate = ajv?.getSchema(`responses#/$defs/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the Responses schema fixture`);
  validators.set(name, validate);
  return validate;
}

/** The schema violations of `value` as readable lines; empty when it conforms. */
export function responsesSchemaErrors(name: ResponsesSchemaName, value: unknown): string[] {
  let schema: string = name;
  if (name === 'ResponseStreamEvent') {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    const eventSchema = eventSchemaName(type);
    if (eventSchema === undefined) return [`/type ${JSON.stringify(type)} is not a Responses stream event type`];
    schema = eventSchema;
  }
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
}

export interface SseFrame {
  event: string | undefined;
  data: Record<string, unknown>;
}

/** Splits a Responses SSE body into frames, checking each is `event: <type>` + `data: <json with that type>`. */
export function parseResponsesSse(text: string): SseFrame[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      const parsed = JSON.parse(data) as Record<string, unknown>;
      if (parsed.type !== event) throw new Error(`frame event ${String(event)} carries data of type ${String(parsed.type)}`);
      return { event, data: parsed };
    });
}

/** Every frame's schema violations, prefixed by its sequence number and type; empty when all conform. */
export function streamSchemaErrors(frames: SseFrame[]): string[] {
  return frames.flatMap((frame) =>
    responsesSchemaErrors('ResponseStreamEvent', frame.data).map((e) => `#${String(frame.data.sequence_number)} ${frame.event}: ${e}`),
  );
}
