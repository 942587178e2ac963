// Weighted random choice over a fixed list, with the cumulative weights computed once per
// table load. `pickExcluding` is the slow path for the rare request that must skip entries
// (ejected backends, backends this request already tried).

export interface WeightedPicker<T> {
  readonly items: readonly T[];
  pick(random?: () => number): T;
  /** Picks among the entries `skip` does not reject; undefined when it rejects all. */
  pickExcluding(skip: (item: T) => boolean, random?: () => number): T | undefined;
}

/** `items` must all have a weight > 0 (weight 0 means drained: leave such entries out). */
export function createWeightedPicker<T>(items: readonly T[], weightOf: (item: T) => number): WeightedPicker<T> {
  if (items.length === 0) throw new Error('a weighted picker needs at least one item');
  const weights = items.map(weightOf);
  if (weights.some((w) => !(w > 0))) throw new Error('weighted picker items must have a weight > 0');
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) {
    total += weight;
    cumulative.push(total);
  }
  const only = items.length === 1 ? items[0] : undefined;

  const pick = (random: () => number = Math.random): T => {
    if (only !== undefined) return only;
    const target = random() * total;
    for (let i = 0; i < cumulative.length; i++) {
      if (target < (cumulative[i] as number)) return items[i] as T;
    }
    return items[items.length - 1] as T;
  };

  const pickExcluding = (skip: (item: T) => boolean, random: () => number = Math.random): T | undefined => {
    let eligibleTotal = 0;
    for (let i = 0; i < items.length; i++) if (!skip(items[i] as T)) eligibleTotal += weights[i] as number;
    if (eligibleTotal === 0) return undefined;
    let target = random() * eligibleTotal;
    let last: T | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as T;
      if (skip(item)) continue;
      const weight = weights[i] as number;
      if (target < weight) return item;
      target -= weight;
      last = item;
    }
    return last;
  };

  return { items, pick, pickExcluding };
}
