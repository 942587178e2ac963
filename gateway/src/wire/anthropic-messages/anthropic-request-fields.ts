// Field readers for a caller's Messages API body, with Anthropic's wording: the message starts
// with the field's path the way Anthropic writes it (`messages.1.content.0.source: Field
// required`), and `param` is that path.

import { invalidRequest, type GatewayError } from '../../errors/gateway-error.js';
import { createFieldReaders, type FieldProblems } from '../request-fields/index.js';

/** `messages` + 1 + `content` -> `messages.1.content`. */
export function fieldPath(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}.${key}`;
}

export function fieldError(path: string, problem: string): GatewayError {
  return invalidRequest(`${path}: ${problem}`, path);
}

const ANTHROPIC_FIELD_PROBLEMS: FieldProblems = {
  missing: (path) => fieldError(path, 'Field required'),
  notObject: (path) => fieldError(path, 'Input should be an object'),
  notString: (path) => fieldError(path, 'Input should be a valid string'),
  emptyString: (path) => fieldError(path, 'String should have at least 1 character'),
  notBoolean: (path) => fieldError(path, 'Input should be a valid boolean'),
  notNumber: (path, rule) => fieldError(path, rule.integer ? 'Input should be a valid integer' : 'Input should be a valid number'),
  notInteger: (path) => fieldError(path, 'Input should be a valid integer'),
  outOfRange: (path, rule, _value, side) =>
    fieldError(
      path,
      side === 'min' ? `Input should be greater than or equal to ${rule.min}` : `Input should be less than or equal to ${rule.max}`,
    ),
  notArray: (path) => fieldError(path, 'Input should be a valid list'),
  notOneOf: (path, allowed) => fieldError(path, `Input should be ${describeChoices(allowed)}`),
};

function describeChoices(allowed: readonly string[]): string {
  const quoted = allowed.map((a) => `'${a}'`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1] ?? ''}`;
}

export const {
  requireRecord,
  optionalRecord,
  requireString,
  requireNonEmptyString,
  optionalString,
  optionalBoolean,
  requireNumber,
  optionalNumber,
  requireArray,
  requireOneOf,
} = createFieldReaders(ANTHROPIC_FIELD_PROBLEMS);
