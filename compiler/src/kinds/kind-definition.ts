// What the code needs to know about one kind of Switchyard resource. The compiler (schemas,
// parsing, compilation), the operator (watches, reconcile fan-out, acknowledgements, status, RBAC)
// and the generated chart and RBAC files all read these entries instead of listing the kinds.

import type { CompileContext, Admitted } from '../compile/compile-context.js';
import type { CrdNames } from '../generated/resource-shapes.js';
import type { ObjectMeta } from '../object-meta-types.js';
import type { RoutingTable } from '../table-types.js';

/** Any object of a registered kind, before the kind's own type is known. */
export interface KindObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
}

/** One compiled object of a table, with the generation it was compiled from. */
interface TableObjectRef {
  namespace: string;
  name: string;
  generation: number;
}

interface GeneratedSecret {
  name: string;
  /** The data entry holding the key. */
  entry: string;
  /** Label naming the owner on the Secret (its value is the owner's name). */
  ownerLabel: string;
}

/** A problem only standalone mode has (in a cluster the operator would fix it). */
interface StandaloneProblem {
  field: string;
  reason: string;
}

export interface KindDefinition<M extends KindObject = KindObject> {
  readonly kind: string;
  /** Group, version, plural, singular, list kind, short names and printer columns, as the CRD declares them. */
  readonly names: CrdNames;
  /** The RoutingTable member holding this kind's compiled objects (log and metric wording). */
  readonly tableField: string;
  /** Kinds whose objects this kind selects by label; they are compiled first. */
  readonly selects: readonly string[];
  /** Verbs the operator needs on the resource and on its status subresource (generated RBAC). */
  readonly rbac: { readonly resource: readonly string[]; readonly status: readonly string[] };
  /** `namespace/name` of every Secret an object references; the operator keeps their data. */
  referencedSecrets(object: M): string[];
  /** `namespace/name` of every ConfigMap an object references (MCPServer OpenAPI documents); the operator keeps their data. */
  referencedConfigMaps?(object: M): string[];
  /**
   * Compiles the admitted objects (schema-valid, oldest first) into the table under construction,
   * recording each object's conditions on its diagnostic.
   */
  compile(objects: readonly Admitted<M>[], context: CompileContext): void;
  /** The objects of this kind a compiled table holds (acknowledgements, metrics). */
  tableObjects(table: RoutingTable): readonly TableObjectRef[];
  /**
   * Status fields besides observedGeneration and conditions, from the compiled table, by
   * `namespace/name` (built once per table: there may be 10,000 objects).
   */
  statusFields?(table: RoutingTable): ReadonlyMap<string, Record<string, unknown>>;
  /** The Secret the operator creates, holding a fresh random key, for an object whose Secret is missing; undefined: the object names none. */
  generatedSecret?(object: M): GeneratedSecret | undefined;
  /** Checks standalone mode adds to the schema (it never creates Secrets). */
  checkStandalone?(object: M, secretIds: ReadonlySet<string>): StandaloneProblem | undefined;
}

/**
 * Declares a kind whose hooks take its own manifest type. The hooks are methods, whose parameters
 * TypeScript checks bivariantly, so the entry is a registry `KindDefinition` as it is; the
 * registry only hands a kind its own objects.
 */
export function defineKind<M extends KindObject>(definition: KindDefinition<M>): KindDefinition {
  return definition;
}
