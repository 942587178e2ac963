// Validates values against OpenAI's official response schemas (extracted from the OpenAPI spec
// into wire/openai-chat/__fixtures__/openai-openapi-schemas.json by the script beside it).

import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { wireFixturePath } from '../../support/repo-paths.js';

export type OpenAISchemaName =
  | 'CreateChatCompletionResponse'
  | 'CreateChatCompletionStreamResponse'
  | 'CreateEmbeddingResponse'
  | 'ErrorResponse'
  | 'ListModelsResponse';

let ajv: Ajv2020 | undefined;
const validators = new Map<OpenAISchemaName, ValidateFunction>();

function validatorFor(name: OpenAISchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (validate) return validate;
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(JSON.parse(readFileSync(wireFixturePath('openai-chat', 'openai-openapi-schemas.json'), 'utf8')) as object, 'openai');
  }
  validate = ajv.getSchema(`openai#/$defs/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the OpenAI schema fixture`);
  validators.set(name, validate);
  return validate;
}

/** The schema violations of `value` as readable lines; empty when it conforms. */
export function openAISchemaErrors(name: OpenAISchemaName, value: unknown): string[] {
  const validate = validatorFor(name);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
}
