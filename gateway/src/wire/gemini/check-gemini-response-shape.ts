// The shape a GenerateContentResponse (a whole answer, or one stream chunk) must have before the
// decoders read it as one: they trust the wire types, so a field of the wrong JSON type (parts
// that are not a list, a part that is null) would otherwise surface as a TypeError from deep
// inside them. Checked once per body, shallowly: only the fields the decoders read.
import { UpstreamFailure, type UpstreamFailureKind } from '../../errors/upstream-failure.js';
import type { GeminiGenerateContentResponse } from './gemini-wire-types.js';

/** A field's test, and what it must be (for the message). */
interface Check {
  test(value: unknown): boolean;
  expected: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optional = (check: Check): Check => ({ test: (value) => value === undefined || check.test(value), expected: check.expected });
const isString: Check = { test: (value) => typeof value === 'string', expected: 'a string' };
const isNumber: Check = { test: (value) => typeof value === 'number', expected: 'a number' };
const isBoolean: Check = { test: (value) => typeof value === 'boolean', expected: 'a boolean' };
const isArray: Check = { test: Array.isArray, expected: 'a list' };
const isRecord: Check = { test: isObject, expected: 'an object' };

const RESPONSE_FIELDS: Record<string, Check> = {
  candidates: optional(isArray),
  promptFeedback: optional(isRecord),
  usageMetadata: optional(isRecord),
  modelVersion: optional(isString),
  responseId: optional(isString),
  createTime: optional(isString),
};
const CANDIDATE_FIELDS: Record<string, Check> = {
  content: optional(isRecord),
  finishReason: optional(isString),
  index: optional(isNumber),
};
const PART_FIELDS: Record<string, Check> = {
  text: optional(isString),
  thought: optional(isBoolean),
  thoughtSignature: optional(isString),
  functionCall: optional(isRecord),
};
const FUNCTION_CALL_FIELDS: Record<string, Check> = {
  id: optional(isString),
  name: optional(isString),
  args: optional(isRecord),
  partialArgs: optional(isArray),
  willContinue: optional(isBoolean),
};
const USAGE_FIELDS = [
  'promptTokenCount',
  'cachedContentTokenCount',
  'candidatesTokenCount',
  'toolUsePromptTokenCount',
  'thoughtsTokenCount',
  'totalTokenCount',
];

type Fail = (field: string, expected: string) => never;

function checkFields(value: Record<string, unknown>, fields: Record<string, Check>, at: string, fail: Fail): void {
  for (const [field, check] of Object.entries(fields)) if (!check.test(value[field])) fail(`${at}${field}`, check.expected);
}

/** Throws UpstreamFailure(`kind`) naming the first field of the wrong type; returns the body as the wire type. */
export function checkGeminiResponseShape(body: Record<string, unknown>, kind: UpstreamFailureKind): GeminiGenerateContentResponse {
  const fail: Fail = (field, expected) => {
    throw new UpstreamFailure(kind, 200, `Gemini returned a response whose ${field} is not ${expected}`);
  };
  checkFields(body, RESPONSE_FIELDS, '', fail);
  const usage = body.usageMetadata as Record<string, unknown> | undefined;
  if (usage !== undefined)
    for (const field of USAGE_FIELDS) if (!optional(isNumber).test(usage[field])) fail(`usageMetadata.${field}`, 'a number');
  const feedback = body.promptFeedback as Record<string, unknown> | undefined;
  if (feedback !== undefined && !optional(isString).test(feedback.blockReason)) fail('promptFeedback.blockReason', 'a string');
  const candidates = (body.candidates as unknown[] | undefined) ?? [];
  candidates.forEach((candidate, index) => {
    if (!isObject(candidate)) fail(`candidates[${index}]`, 'an object');
    const at = `candidates[${index}].`;
    checkFields(candidate as Record<string, unknown>, CANDIDATE_FIELDS, at, fail);
    const content = (candidate as { content?: Record<string, unknown> }).content;
    if (content === undefined) return;
    if (!optional(isArray).test(content.parts)) fail(`${at}content.parts`, 'a list');
    ((content.parts as unknown[] | undefined) ?? []).forEach((part, partIndex) => {
      const partAt = `${at}content.parts[${partIndex}]`;
      if (!isObject(part)) fail(partAt, 'an object');
      checkFields(part as Record<string, unknown>, PART_FIELDS, `${partAt}.`, fail);
      const call = (part as { functionCall?: Record<string, unknown> }).functionCall;
      if (call !== undefined) checkFields(call, FUNCTION_CALL_FIELDS, `${partAt}.functionCall.`, fail);
    });
  });
  return body as GeminiGenerateContentResponse;
}
