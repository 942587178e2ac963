// ajv's errors, reworded into one line per field the way a person reads kubectl output:
// `spec.backends[1].weight: must be >= 0`, `spec.backends[0].wieght: unknown field`.

import type { ErrorObject } from 'ajv';
import { DURATION_PATTERN } from '../values/duration.js';
import { MONEY_PATTERN } from '../values/money.js';
import { childPath, itemPath, unknownFieldMessage, type SchemaIssue } from './schema-issue.js';

const MODEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$';

const PATTERN_DESCRIPTIONS: Record<string, string> = {
  [MODEL_NAME_PATTERN]: "must be a model name: a letter or digit, then at most 127 letters, digits, '.', '_', '/' or '-' (no ':')",
  [MONEY_PATTERN]: 'must be a decimal string of USD such as "2.50" (at most 9 decimals)',
  [DURATION_PATTERN]: 'must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m"',
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': "must be a lowercase DNS label: a-z, 0-9 and '-', starting and ending with a letter or digit",
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$':
    "must be a lowercase DNS subdomain name: a-z, 0-9, '-' and '.', starting and ending with a letter or digit",
  '^[A-Za-z0-9*][A-Za-z0-9._/*-]{0,127}$': "must be a model name glob: letters, digits, '.', '_', '/', '-' and '*'",
  '^https?://[^\\s/?#]+(/[^\\s?#]*)?$': 'must be an http:// or https:// URL without query or fragment',
  '^[^\\s]+$': 'must not be empty or contain whitespace',
  '^[^\\r\\n]*$': 'must not contain line breaks',
  '^[-._a-zA-Z0-9]+$': "must be a Secret key: letters, digits, '-', '_' and '.'",
  '^[a-z0-9][a-z0-9_-]*$': "must be a tool prefix: lowercase letters, digits, '_' and '-', starting with a letter or digit",
  '^[A-Za-z0-9_.*/-]{1,128}$': "must be a tool name glob: letters, digits, '_', '.', '/', '-' and '*' (at most 128)",
  '^[A-Za-z0-9_.*/-]{1,256}$': "must be a prefixed tool name glob such as github__*: letters, digits, '_', '.', '/', '-' and '*'",
  '^[A-Za-z0-9-]{1,128}$': "must be a header name: letters, digits and '-' (at most 128)",
};

const BOOLEAN_LOOKING_KEYS = new Set(['true', 'false']);

/** `/spec/backends/1/weight` -> `spec.backends[1].weight` */
function instancePathToField(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^[0-9]+$/.test(segment) ? itemPath(path, Number(segment)) : childPath(path, segment)), '');
}

function describePattern(pattern: string): string {
  return PATTERN_DESCRIPTIONS[pattern] ?? `must match the pattern ${pattern}`;
}

function describeFormat(format: string): string {
  switch (format) {
    case 'date-time':
      return 'must be an RFC 3339 date-time such as "2027-01-01T00:00:00Z"';
    case 'int32':
      return 'must be a 32-bit integer';
    case 'int64':
      return 'must be a 64-bit integer';
    default:
      return `must be a valid ${format}`;
  }
}

/**
 * The usual cause of a type error in YAML is quoting: `failureRate: 0.5` or `limit: 500` where a
 * string is wanted (YAML reads them as numbers), `attempts: "3"` where a number is. Say how to
 * write the value the accepted way, when that form would pass the field's pattern.
 */
function typeHint(types: readonly string[], data: unknown, pattern: unknown): string {
  if (types.includes('string') && (typeof data === 'number' || typeof data === 'boolean')) {
    const text = String(data);
    if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(text)) return `, and ${describePattern(pattern)}`;
    return ` (quote it: "${text}")`;
  }
  const numeric = types.includes('integer') || types.includes('number');
  if (numeric && typeof data === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(data.trim())) {
    const number = Number(data);
    if (types.includes('number') || Number.isInteger(number)) return ` (write it without quotes: ${data.trim()})`;
  }
  return '';
}

export function describeAjvError(error: ErrorObject): SchemaIssue {
  const path = instancePathToField(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      if (BOOLEAN_LOOKING_KEYS.has(name)) {
        return {
          field: childPath(path, name),
          message: 'unknown field (YAML 1.1, which kubectl uses, reads an unquoted on/off/yes/no key as a boolean: quote it, e.g. "on":)',
        };
      }
      // verbose: true gives the schema the field was looked up in: its properties are the names
      // a misspelling is compared with, at that level only.
      const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      return { field: childPath(path, name), message: unknownFieldMessage(name, Object.keys(properties)) };
    }
    case 'required':
      return { field: childPath(path, String(params['missingProperty'])), message: 'is required' };
    case 'enum':
      return { field: path, message: `must be one of: ${(params['allowedValues'] as unknown[]).map(String).join(', ')}` };
    case 'type': {
      const type = params['type'];
      const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
      const expected = `must be ${types.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ')}`;
      return {
        field: path,
        message: expected + typeHint(types, error.data, (error.parentSchema as { pattern?: unknown } | undefined)?.pattern),
      };
    }
    case 'pattern':
      return { field: path, message: describePattern(String(params['pattern'])) };
    case 'format':
      return { field: path, message: describeFormat(String(params['format'])) };
    case 'uniqueItems': {
      const later = Math.max(Number(params['i']), Number(params['j']));
      const value = Array.isArray(error.data) ? error.data[later] : undefined;
      return { field: itemPath(path, later), message: `duplicate value ${JSON.stringify(value)}` };
    }
    default:
      return { field: path, message: (error.message ?? 'is invalid').replace(/NOT/g, 'not') };
  }
}
