// Readers for caller-supplied JSON fields, written once for every front door's decoder. Each
// returns a typed value or throws a 400 whose `param` names the field, so a caller sees exactly
// what to fix. `null` counts as "not set" for optional fields (the official SDKs type many of
// them nullable). Only the wording of the 400 differs between wire APIs: each API supplies its
// own FieldProblems (param-field-readers.ts; anthropic-messages/anthropic-request-fields.ts).

import type { GatewayError } from '../../errors/gateway-error.js';
import { isRecord, type JsonRecord } from '@switchyard/compiler';

/**
 * A number field's bounds. Exported because the readers' exported signatures name it.
 * @public
 */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** The errors one wire API reports for a field; each names the field's path. */
export interface FieldProblems {
  /** A required field is absent or null; without it, absence is reported as the type mismatch. */
  missing?(path: string): GatewayError;
  notObject(path: string): GatewayError;
  notString(path: string): GatewayError;
  emptyString(path: string): GatewayError;
  notBoolean(path: string): GatewayError;
  notNumber(path: string, rule: NumberRule): GatewayError;
  notInteger(path: string): GatewayError;
  outOfRange(path: string, rule: NumberRule, value: number, side: 'min' | 'max'): GatewayError;
  notArray(path: string): GatewayError;
  notOneOf(path: string, allowed: readonly string[]): GatewayError;
}

export interface FieldReaders {
  requireRecord(value: unknown, path: string): JsonRecord;
  optionalRecord(value: unknown, path: string): JsonRecord | undefined;
  requireString(value: unknown, path: string): string;
  requireNonEmptyString(value: unknown, path: string): string;
  optionalString(value: unknown, path: string): string | undefined;
  optionalBoolean(value: unknown, path: string): boolean | undefined;
  requireNumber(value: unknown, path: string, rule?: NumberRule): number;
  optionalNumber(value: unknown, path: string, rule?: NumberRule): number | undefined;
  requireArray(value: unknown, path: string): unknown[];
  requireOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T;
}

export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function createFieldReaders(problems: FieldProblems): FieldReaders {
  const checkPresent = (value: unknown, path: string): void => {
    if (problems.missing !== undefined && isAbsent(value)) throw problems.missing(path);
  };

  const requireRecord = (value: unknown, path: string): JsonRecord => {
    checkPresent(value, path);
    if (!isRecord(value)) throw problems.notObject(path);
    return value;
  };

  const requireString = (value: unknown, path: string): string => {
    checkPresent(value, path);
    if (typeof value !== 'string') throw problems.notString(path);
    return value;
  };

  const requireNumber = (value: unknown, path: string, rule: NumberRule = {}): number => {
    checkPresent(value, path);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw problems.notNumber(path, rule);
    if (rule.integer && !Number.isInteger(value)) throw problems.notInteger(path);
    if (rule.min !== undefined && value < rule.min) throw problems.outOfRange(path, rule, value, 'min');
    if (rule.max !== undefined && value > rule.max) throw problems.outOfRange(path, rule, value, 'max');
    return value;
  };

  return {
    requireRecord,
    optionalRecord: (value, path) => (isAbsent(value) ? undefined : requireRecord(value, path)),
    requireString,
    requireNonEmptyString(value, path) {
      const text = requireString(value, path);
      if (text.length === 0) throw problems.emptyString(path);
      return text;
    },
    optionalString: (value, path) => (isAbsent(value) ? undefined : requireString(value, path)),
    optionalBoolean(value, path) {
      if (isAbsent(value)) return undefined;
      if (typeof value !== 'boolean') throw problems.notBoolean(path);
      return value;
    },
    requireNumber,
    optionalNumber: (value, path, rule) => (isAbsent(value) ? undefined : requireNumber(value, path, rule)),
    requireArray(value, path) {
      checkPresent(value, path);
      if (!Array.isArray(value)) throw problems.notArray(path);
      return value;
    },
    requireOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
      checkPresent(value, path);
      if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw problems.notOneOf(path, allowed);
      return value as T;
    },
  };
}
