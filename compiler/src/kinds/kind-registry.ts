// The registry of kinds: the built-in ones in the order they compile, and a way to build a
// registry with more (tests register toy kinds without touching the built-in list).

import { budgetKind } from './budget-kind.js';
import { guardrailPolicyKind } from './guardrail-policy-kind.js';
import type { KindDefinition } from './kind-definition.js';
import { mcpServerKind } from './mcp-server-kind.js';
import { modelRouteKind } from './model-route-kind.js';
import { virtualKeyKind } from './virtual-key-kind.js';

export class KindRegistry {
  private readonly byKind: ReadonlyMap<string, KindDefinition>;
  private readonly ordered: readonly KindDefinition[];

  constructor(definitions: readonly KindDefinition[]) {
    const byKind = new Map<string, KindDefinition>();
    for (const definition of definitions) {
      if (byKind.has(definition.kind)) throw new Error(`kind ${definition.kind} registered twice`);
      for (const selected of definition.selects) {
        if (!byKind.has(selected)) throw new Error(`kind ${definition.kind} selects ${selected}, which must be registered before it`);
      }
      byKind.set(definition.kind, definition);
    }
    this.byKind = byKind;
    this.ordered = [...definitions];
  }

  /** Every kind, in compile order. */
  all(): readonly KindDefinition[] {
    return this.ordered;
  }

  get kinds(): string[] {
    return this.ordered.map((definition) => definition.kind);
  }

  has(kind: unknown): boolean {
    return typeof kind === 'string' && this.byKind.has(kind);
  }

  get(kind: string): KindDefinition {
    const definition = this.byKind.get(kind);
    if (!definition) throw new Error(`unknown kind ${kind}`);
    return definition;
  }

  /** Position in compile order: how diagnostics and generated lists are ordered. */
  rank(kind: string): number {
    return this.ordered.findIndex((definition) => definition.kind === kind);
  }

  /** A registry with these kinds added after the existing ones. */
  with(...definitions: KindDefinition[]): KindRegistry {
    return new KindRegistry([...this.ordered, ...definitions]);
  }

  /** `ModelRoute, VirtualKey or Budget`, for messages. */
  describe(): string {
    const kinds = this.kinds;
    return kinds.length < 2 ? kinds.join('') : `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
  }
}

/**
 * ModelRoutes first (keys see routes), then VirtualKeys, then Budgets (they select keys), then
 * MCPServers (a route's spec.mcp names them; it is resolved once every kind has compiled), then
 * GuardrailPolicies (they select keys and routes).
 */
export const BUILTIN_KINDS = new KindRegistry([modelRouteKind, virtualKeyKind, budgetKind, mcpServerKind, guardrailPolicyKind]);
