// A read-only map made of a shared base and a small layer of changes over it: what a delta does
// to an index of 100,000 keys without copying it. Copying a Map of 100,000 entries costs tens of
// milliseconds of CPU and a few MB per change; a layer costs the changed entries. The base is
// never written once a layer sits on it, so the tables that share it keep their own view. When
// the layer grows past a share of the base, the next change folds both into one plain Map.

/** Past this many layered entries (and a sixteenth of the base), changes are folded into a fresh Map. */
const MAX_LAYER = 1024;

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  readonly size: number;

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    /** A change per key: the new value, or `undefined` for a key removed from the base. */
    private readonly layer: ReadonlyMap<K, V | undefined>,
  ) {
    let size = base.size;
    for (const [key, value] of layer) {
      const inBase = base.has(key);
      if (value === undefined && inBase) size -= 1;
      else if (value !== undefined && !inBase) size += 1;
    }
    this.size = size;
  }

  /**
   * `map` with `changes` applied (undefined removes a key), sharing `map`'s entries. `map` itself
   * is left as it is. Returns a plain Map when the changes are many.
   */
  static update<K, V>(map: ReadonlyMap<K, V>, changes: ReadonlyMap<K, V | undefined>): ReadonlyMap<K, V> {
    if (changes.size === 0) return map;
    const base = map instanceof LayeredMap ? (map as LayeredMap<K, V>).base : map;
    const layer = new Map<K, V | undefined>(map instanceof LayeredMap ? (map as LayeredMap<K, V>).layer : []);
    for (const [key, value] of changes) layer.set(key, value);
    if (layer.size > Math.max(MAX_LAYER, base.size / 16)) {
      const flat = new Map<K, V>(base);
      for (const [key, value] of layer) {
        if (value === undefined) flat.delete(key);
        else flat.set(key, value);
      }
      return flat;
    }
    return new LayeredMap(base, layer);
  }

  get(key: K): V | undefined {
    const layer = this.layer;
    return layer.has(key) ? layer.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    const layer = this.layer;
    return layer.has(key) ? layer.get(key) !== undefined : this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const entry of this.base) if (!this.layer.has(entry[0])) yield entry;
    for (const [key, value] of this.layer) if (value !== undefined) yield [key, value];
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
