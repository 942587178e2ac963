// Narrowing for parsed JSON that came from outside (callers, upstreams, manifests, the other end
// of the table stream): `unknown` in, typed values out, never a cast on trust.

export type JsonRecord = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number; NaN, the infinities and anything else read as undefined. */
export function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Parses JSON text, returning undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A string field of an object; absent, null or any other type reads as undefined. */
export function stringField(object: JsonRecord, key: string): string | undefined {
  return optionalString(object[key]);
}

/** A finite, non-negative number field; null, absent or anything else reads as undefined. */
export function countField(object: JsonRecord, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
