// A deep copy of parsed JSON/YAML data (objects, arrays, primitives), several times faster than
// structuredClone, which goes through the serializer. Validation copies every object before
// defaulting it, so at 10,000 objects the difference is most of the validation time.
// Anything else that is an object (a Date, a Map), and anything below MAX_DEPTH (deeper than any
// manifest, or a cycle, which YAML aliases can build), goes to structuredClone as before.

const MAX_DEPTH = 64;

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function cloneAt<T>(value: T, depth: number): T {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return structuredClone(value);
  if (Array.isArray(value)) return value.map((item: unknown) => cloneAt(item, depth + 1)) as T;
  if (!isPlainObject(value)) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = cloneAt((value as Record<string, unknown>)[key], depth + 1);
    // An own `__proto__` member (JSON.parse makes those) must stay data, not become the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
    else copy[key] = member;
  }
  return copy as T;
}

export function clonePlainData<T>(value: T): T {
  return cloneAt(value, 0);
}
