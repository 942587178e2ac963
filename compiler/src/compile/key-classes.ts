// Budgets and GuardrailPolicies select keys by namespace and labels alone, so keys with the same
// namespace and labels are selected by exactly the same ones. Selection runs once per such class
// rather than once per key: at 100,000 keys and 5,000 Budgets that is a few thousand classes
// instead of millions of (key, budget) pairs, and every key of a class shares the class's sorted
// budgetIds array (and its JSON, and its Accepted message).

import type { CompiledVirtualKey } from '../table-types.js';

export interface KeyClass {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Identifies the class: namespace and labels. */
  signature: string;
  /** How many accepted keys the class has. */
  size: number;
  /** Ids of the Budgets selecting the class, in the order they compiled. */
  budgetIds: string[];
  /** Ids of the GuardrailPolicies selecting the class, in namespace/name order. */
  guardrailPolicyIds: string[];
}

function labelSignature(namespace: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  let signature = namespace;
  for (const key of keys) signature += `\u0000${key}\u0000${labels[key] as string}`;
  return signature;
}

/** The accepted keys grouped into classes, and each key's class. */
export class KeyClasses {
  readonly classes: KeyClass[] = [];
  private readonly bySignature = new Map<string, KeyClass>();
  /** Each key's signature: the class is found through it rather than through one more map entry per key. */
  private readonly signatures: Map<CompiledVirtualKey, string>;

  /**
   * `signatures`: each key's class signature by key object, from the previous compile (a key
   * reused from it has the same namespace and labels); this compile's go to `nextSignatures`.
   */
  constructor(
    keys: readonly CompiledVirtualKey[],
    signatures?: ReadonlyMap<CompiledVirtualKey, string>,
    nextSignatures: Map<CompiledVirtualKey, string> = new Map(),
  ) {
    this.signatures = nextSignatures;
    const bySignature = this.bySignature;
    for (const key of keys) {
      const signature = signatures?.get(key) ?? labelSignature(key.namespace, key.labels);
      nextSignatures.set(key, signature);
      let keyClass = bySignature.get(signature);
      if (!keyClass) {
        keyClass = { namespace: key.namespace, labels: key.labels, signature, size: 0, budgetIds: [], guardrailPolicyIds: [] };
        bySignature.set(signature, keyClass);
        this.classes.push(keyClass);
      }
      keyClass.size += 1;
    }
  }

  of(key: CompiledVirtualKey): KeyClass {
    return this.bySignature.get(this.signatures.get(key) as string) as KeyClass;
  }
}

/** How many keys the selected classes hold. */
export function keyCount(classes: readonly KeyClass[]): number {
  let count = 0;
  for (const keyClass of classes) count += keyClass.size;
  return count;
}
