import { describe, expect, it } from '@jest/globals';
import { clonePlainData } from '../src/values/clone-plain-data.js';

describe('clonePlainData', () => {
  it('copies nested objects and arrays so that writing into the copy leaves the original alone', () => {
    const original = { metadata: { name: 'a', labels: { team: 't' } }, spec: { backends: [{ name: 'b', credentials: [{ weight: 1 }] }] } };
    const copy = clonePlainData(original);
    expect(copy).toEqual(original);
    copy.spec.backends[0]!.credentials[0]!.weight = 9;
    (copy.metadata.labels as Record<string, string>)['extra'] = 'x';
    copy.spec.backends.push({ name: 'c', credentials: [] });
    expect(original).toEqual({
      metadata: { name: 'a', labels: { team: 't' } },
      spec: { backends: [{ name: 'b', credentials: [{ weight: 1 }] }] },
    });
  });

  it.each<[string, unknown]>([
    ['a string', 'x'],
    ['a number', 1.5],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', false],
  ])('returns %s as it is', (_name, value) => {
    expect(clonePlainData(value)).toBe(value);
  });

  it('keeps an own __proto__ member as data', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const copy = clonePlainData(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: true });
  });

  it('copies other objects the way structuredClone does', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    const copy = clonePlainData({ when });
    expect(copy.when).not.toBe(when);
    expect(copy.when).toEqual(when);
  });

  it('copies cyclic data without overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const copy = clonePlainData(cyclic);
    expect(copy).not.toBe(cyclic);
    let node: Record<string, unknown> = copy;
    for (let i = 0; i < 200; i++) node = node['self'] as Record<string, unknown>;
    expect(node['name']).toBe('loop');
  });
});
