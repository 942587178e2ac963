// Budgets select keys by label. Testing every budget against every key of its namespace is
// budgets x keys selector evaluations (500 x 10,000 at cluster scale); instead keys are indexed by
// namespace and label, and a budget only tests the keys its narrowest requirement allows.

import type { LabelSelector } from '../generated/resource-shapes.js';
import { compileLabelSelector } from './label-selector.js';

interface Labelled {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

interface NamespaceIndex<T> {
  all: T[];
  /** label key -> objects carrying it */
  withLabel: Map<string, T[]>;
  /** label key -> label value -> objects */
  byValue: Map<string, Map<string, T[]>>;
}

const EMPTY: readonly never[] = [];

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class KeyLabelIndex<T extends Labelled> {
  private readonly namespaces = new Map<string, NamespaceIndex<T>>();

  constructor(objects: readonly T[]) {
    for (const object of objects) {
      let index = this.namespaces.get(object.namespace);
      if (!index) {
        index = { all: [], withLabel: new Map(), byValue: new Map() };
        this.namespaces.set(object.namespace, index);
      }
      index.all.push(object);
      for (const [key, value] of Object.entries(object.labels)) {
        push(index.withLabel, key, object);
        let values = index.byValue.get(key);
        if (!values) {
          values = new Map();
          index.byValue.set(key, values);
        }
        push(values, value, object);
      }
    }
  }

  /** The objects of `namespace` that `selector` selects, in no particular order. */
  select(namespace: string, selector: LabelSelector): T[] {
    const index = this.namespaces.get(namespace);
    if (!index) return [];
    const matches = compileLabelSelector(selector);
    return this.candidates(index, selector).filter((object) => matches(object.labels));
  }

  /** A superset of the selected objects: the smallest one any single requirement implies. */
  private candidates(index: NamespaceIndex<T>, selector: LabelSelector): readonly T[] {
    let best: readonly T[] = index.all;
    const consider = (candidates: readonly T[]): void => {
      if (candidates.length < best.length) best = candidates;
    };
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      consider(index.byValue.get(key)?.get(value) ?? EMPTY);
    }
    for (const requirement of selector.matchExpressions ?? []) {
      if (requirement.operator === 'Exists') {
        consider(index.withLabel.get(requirement.key) ?? EMPTY);
      } else if (requirement.operator === 'In') {
        const byValue = index.byValue.get(requirement.key);
        // Each object has one value per label, so the lists of distinct values never overlap.
        const lists = [...new Set(requirement.values ?? [])].map((value) => byValue?.get(value) ?? EMPTY);
        const size = lists.reduce((sum, list) => sum + list.length, 0);
        if (size < best.length) consider(lists.length === 1 ? (lists[0] as readonly T[]) : lists.flat());
      }
      // NotIn and DoesNotExist exclude, so they cannot narrow the candidates.
    }
    return best;
  }
}
