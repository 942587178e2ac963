// Field readers for caller-supplied JSON. Each one either returns a typed value or throws a 400
// naming the offending field as OpenAI does (`param`), so callers see exactly what to fix.
// OpenAI treats `null` as "not set" for every optional parameter; so do these.

import { invalidRequest } from '../../errors/gateway-error.js';
import { isRecord, type JsonRecord } from '../../shared/json-narrowing.js';

export function requireRecord(value: unknown, param: string): JsonRecord {
  if (!isRecord(value)) throw invalidRequest(`'${param}' must be an object`, param);
  return value;
}

export function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalidRequest(`'${param}' must be a string`, param);
  return value;
}

export function requireNonEmptyString(value: unknown, param: string): string {
  const text = requireString(value, param);
  if (text.length === 0) throw invalidRequest(`'${param}' must not be empty`, param);
  return text;
}

export function optionalString(value: unknown, param: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, param);
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`'${param}' must be a boolean`, param);
  return value;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

export function optionalNumber(value: unknown, param: string, rule: NumberRule = {}): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`'${param}' must be a number`, param);
  if (rule.integer && !Number.isInteger(value)) throw invalidRequest(`'${param}' must be an integer`, param);
  if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
    const range = rule.max === undefined ? `at least ${rule.min}` : rule.min === undefined ? `at most ${rule.max}` : `between ${rule.min} and ${rule.max}`;
    throw invalidRequest(`'${param}' must be ${range}, got ${value}`, param);
  }
  return value;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(`'${param}' must be an array`, param);
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(`'${param}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, param);
  }
  return value as T;
}
