// Field readers for a caller's Messages API body. Each returns a typed value or throws a 400
// whose message starts with the field's path the way Anthropic writes it (`messages.1.content.0.source:
// Field required`), and whose `param` is that path, so a caller sees exactly what to fix.
// `null` counts as "not set" for optional fields: the official SDKs type many of them nullable.

import { invalidRequest, type GatewayError } from '../../errors/gateway-error.js';
import { isRecord, type JsonRecord } from '../../shared/json-narrowing.js';

export type { JsonRecord };

/** `messages` + 1 + `content` -> `messages.1.content`. */
export function fieldPath(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}.${key}`;
}

export function fieldError(path: string, problem: string): GatewayError {
  return invalidRequest(`${path}: ${problem}`, path);
}

export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function requireObject(value: unknown, path: string): JsonRecord {
  if (isAbsent(value)) throw fieldError(path, 'Field required');
  if (!isRecord(value)) throw fieldError(path, 'Input should be an object');
  return value;
}

export function optionalObject(value: unknown, path: string): JsonRecord | undefined {
  return isAbsent(value) ? undefined : requireObject(value, path);
}

export function requireString(value: unknown, path: string): string {
  if (isAbsent(value)) throw fieldError(path, 'Field required');
  if (typeof value !== 'string') throw fieldError(path, 'Input should be a valid string');
  return value;
}

export function requireNonEmptyString(value: unknown, path: string): string {
  const text = requireString(value, path);
  if (text.length === 0) throw fieldError(path, 'String should have at least 1 character');
  return text;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return isAbsent(value) ? undefined : requireString(value, path);
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw fieldError(path, 'Input should be a valid boolean');
  return value;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

export function requireNumber(value: unknown, path: string, rule: NumberRule = {}): number {
  if (isAbsent(value)) throw fieldError(path, 'Field required');
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw fieldError(path, rule.integer ? 'Input should be a valid integer' : 'Input should be a valid number');
  }
  if (rule.integer && !Number.isInteger(value)) throw fieldError(path, 'Input should be a valid integer');
  if (rule.min !== undefined && value < rule.min) throw fieldError(path, `Input should be greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && value > rule.max) throw fieldError(path, `Input should be less than or equal to ${rule.max}`);
  return value;
}

export function optionalNumber(value: unknown, path: string, rule: NumberRule = {}): number | undefined {
  return isAbsent(value) ? undefined : requireNumber(value, path, rule);
}

export function requireArray(value: unknown, path: string): unknown[] {
  if (isAbsent(value)) throw fieldError(path, 'Field required');
  if (!Array.isArray(value)) throw fieldError(path, 'Input should be a valid list');
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (isAbsent(value)) throw fieldError(path, 'Field required');
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw fieldError(path, `Input should be ${describeChoices(allowed)}`);
  }
  return value as T;
}

function describeChoices(allowed: readonly string[]): string {
  const quoted = allowed.map((a) => `'${a}'`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1] ?? ''}`;
}
