import { jsonPath } from '../../src/json-path.js';

export { jsonPath };

export function jsonItems(value: unknown): unknown[] {
  const items = jsonPath(value, 'items');
  return Array.isArray(items) ? items : [];
}

export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
