// Field readers with OpenAI's wording (`'temperature' must be a number`), which the OpenAI Chat,
// Responses and Gemini decoders share. OpenAI treats `null` as "not set" for every optional
// parameter, and reports an absent required field as the type it should have had.

import { invalidRequest } from '../../errors/gateway-error.js';
import { createFieldReaders, type FieldProblems } from './field-readers.js';

const paramProblem = (param: string, problem: string) => invalidRequest(`'${param}' ${problem}`, param);

const PARAM_FIELD_PROBLEMS: FieldProblems = {
  notObject: (param) => paramProblem(param, 'must be an object'),
  notString: (param) => paramProblem(param, 'must be a string'),
  emptyString: (param) => paramProblem(param, 'must not be empty'),
  notBoolean: (param) => paramProblem(param, 'must be a boolean'),
  notNumber: (param) => paramProblem(param, 'must be a number'),
  notInteger: (param) => paramProblem(param, 'must be an integer'),
  outOfRange(param, rule, value) {
    const range =
      rule.max === undefined
        ? `at least ${rule.min}`
        : rule.min === undefined
          ? `at most ${rule.max}`
          : `between ${rule.min} and ${rule.max}`;
    return paramProblem(param, `must be ${range}, got ${value}`);
  },
  notArray: (param) => paramProblem(param, 'must be an array'),
  notOneOf: (param, allowed) => paramProblem(param, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`),
};

export const {
  requireRecord,
  requireString,
  requireNonEmptyString,
  optionalString,
  optionalBoolean,
  optionalNumber,
  requireArray,
  requireOneOf,
} = createFieldReaders(PARAM_FIELD_PROBLEMS);
