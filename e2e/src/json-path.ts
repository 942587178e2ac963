/** Reads a nested field of parsed JSON without casts: jsonPath(obj, 'status', 'token'). */
export function jsonPath(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
