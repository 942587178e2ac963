// Validation of Switchyard objects against the CRDs in crds/, the single source of truth for
// resource shapes: ajv for the OpenAPI schema (defaults applied as the API server applies them),
// TypeScript twins for the CEL rules, and the API server's own metadata rules.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { defaultCrdDir } from '../crd-location.js';
import { clonePlainData } from '../values/clone-plain-data.js';
import { SWITCHYARD_API_VERSION, SWITCHYARD_GROUP } from '../manifest-types.js';
import type { SwitchyardManifest } from '../generated/resource-shapes.js';
import { BUILTIN_KINDS, type KindRegistry } from '../kinds/kind-registry.js';
import { CEL_RULE_IMPLEMENTATIONS } from './cel-rules.js';
import { describeAjvError } from './describe-ajv-error.js';
import { isRfc3339, validateObjectMeta } from './object-meta.js';
import { openApiToAjv } from './openapi-to-ajv.js';
import type { OpenApiSchema } from './openapi-schema.js';
import { childPath, itemPath, type SchemaIssue } from './schema-issue.js';

interface ValidationResult {
  ok: boolean;
  issues: SchemaIssue[];
  /** A copy of the object with the CRD defaults applied and `status` dropped; present when ok. */
  value?: SwitchyardManifest;
}

export interface CrdSchemas {
  readonly kinds: readonly string[];
  /** The openAPIV3Schema of a kind's served version, as written in the CRD. */
  schemaOf(kind: string): OpenApiSchema;
  /**
   * Validates one Switchyard object as the API server would: metadata rules, unknown fields,
   * the OpenAPI schema (after defaulting), then the CEL rules. Never throws for bad input.
   */
  validate(object: unknown): ValidationResult;
}

interface KindSchema {
  schema: OpenApiSchema;
  /** The kind's ajv validator, compiled at its first object: standalone start-up compiles only the kinds it has. */
  validator(): ValidateFunction;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addFormat('date-time', { type: 'string', validate: isRfc3339 });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  return ajv;
}

/** Every CEL rule of a schema must have a TypeScript twin; otherwise the CRD and compiler drifted. */
function assertCelRulesImplemented(node: OpenApiSchema, path: string, crdFile: string): void {
  for (const rule of node['x-kubernetes-validations'] ?? []) {
    if (!CEL_RULE_IMPLEMENTATIONS[rule.rule]) {
      throw new Error(`${crdFile}: CEL rule at ${path || '<root>'} has no TypeScript implementation in cel-rules.ts: ${rule.rule}`);
    }
  }
  for (const [name, child] of Object.entries(node.properties ?? {})) assertCelRulesImplemented(child, childPath(path, name), crdFile);
  if (node.items) assertCelRulesImplemented(node.items, `${path}[]`, crdFile);
  if (typeof node.additionalProperties === 'object') assertCelRulesImplemented(node.additionalProperties, `${path}[*]`, crdFile);
}

const celWalkNeeded = new WeakMap<OpenApiSchema, boolean>();

/** Whether a schema node or anything below it has a CEL rule or a map-type list to check. */
function needsCelWalk(node: OpenApiSchema): boolean {
  let needed = celWalkNeeded.get(node);
  if (needed === undefined) {
    needed =
      (node['x-kubernetes-validations']?.length ?? 0) > 0 ||
      node['x-kubernetes-list-type'] === 'map' ||
      Object.values(node.properties ?? {}).some(needsCelWalk) ||
      (node.items !== undefined && needsCelWalk(node.items)) ||
      (typeof node.additionalProperties === 'object' && needsCelWalk(node.additionalProperties));
    celWalkNeeded.set(node, needed);
  }
  return needed;
}

/** What celIssues visits at a schema node: only the children with something to check below them. */
interface CelPlan {
  properties: [string, OpenApiSchema][];
  items: OpenApiSchema | undefined;
  additionalProperties: OpenApiSchema | undefined;
}

const celPlans = new WeakMap<OpenApiSchema, CelPlan>();

function celPlanOf(node: OpenApiSchema): CelPlan {
  let plan = celPlans.get(node);
  if (plan === undefined) {
    const additional = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    plan = {
      properties: Object.entries(node.properties ?? {}).filter(([, child]) => needsCelWalk(child)),
      items: node.items !== undefined && needsCelWalk(node.items) ? node.items : undefined,
      additionalProperties: additional !== undefined && needsCelWalk(additional) ? additional : undefined,
    };
    celPlans.set(node, plan);
  }
  return plan;
}

/**
 * Runs the CEL rules (and list-type map key uniqueness) over a value that already passed the
 * schema, adding what fails to `issues`. Every object is validated at each reload of 20,000
 * keys, so the walk skips subtrees without rules (celPlanOf) and builds no arrays on the way.
 */
function celIssues(node: OpenApiSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (value === undefined || value === null || !needsCelWalk(node)) return;
  for (const rule of node['x-kubernetes-validations'] ?? []) {
    const check = CEL_RULE_IMPLEMENTATIONS[rule.rule] as (self: unknown) => boolean;
    if (!check(value)) {
      const target = rule.fieldPath
        ? `${path}${rule.fieldPath.startsWith('[') || !path ? '' : '.'}${rule.fieldPath.replace(/^\./, '')}`
        : path;
      issues.push({ field: target, message: rule.message });
    }
  }
  const plan = celPlanOf(node);
  if (Array.isArray(value)) {
    if (node['x-kubernetes-list-type'] === 'map') {
      const mapKeys = node['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Map<string, number>();
      value.forEach((item, index) => {
        const identity = JSON.stringify(mapKeys.map((key) => (item as Record<string, unknown>)[key]));
        const first = seen.get(identity);
        if (first !== undefined) {
          issues.push({ field: itemPath(path, index), message: `duplicate entry: same ${mapKeys.join(', ')} as item ${first}` });
        } else {
          seen.set(identity, index);
        }
      });
    }
    const items = plan.items;
    if (items) {
      value.forEach((item, index) => {
        celIssues(items, item, itemPath(path, index), issues);
      });
    }
    return;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [name, child] of plan.properties) celIssues(child, record[name], childPath(path, name), issues);
    const additional = plan.additionalProperties;
    if (additional) {
      for (const [name, entry] of Object.entries(record)) {
        if (!node.properties?.[name]) celIssues(additional, entry, childPath(path, name), issues);
      }
    }
  }
}

function readCrdFiles(crdDir: string): { file: string; crd: Record<string, unknown> }[] {
  let names: string[];
  try {
    names = readdirSync(crdDir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
  } catch (error) {
    throw new Error(`cannot read CRD directory ${crdDir}: ${(error as Error).message}`);
  }
  const crds: { file: string; crd: Record<string, unknown> }[] = [];
  for (const name of names) {
    const file = join(crdDir, name);
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
      const crd = document.toJS() as Record<string, unknown> | null;
      if (crd && crd['kind'] === 'CustomResourceDefinition') crds.push({ file, crd });
    }
  }
  return crds;
}

/**
 * Reads the CRDs of the registered kinds (default: the repository's crds/, the built-in kinds)
 * and a validator per kind (its ajv code compiled at the first object of the kind). Throws when a
 * CRD is missing, unreadable, or has a CEL rule without a TypeScript twin.
 */
export function loadCrdSchemas(crdDir: string = defaultCrdDir(), kinds: KindRegistry = BUILTIN_KINDS): CrdSchemas {
  const version = SWITCHYARD_API_VERSION.split('/')[1] as string;
  const ajv = createAjv();
  const byKind = new Map<string, KindSchema>();
  for (const { file, crd } of readCrdFiles(crdDir)) {
    const spec = crd['spec'] as {
      group?: string;
      names?: { kind?: string };
      versions?: { name: string; schema?: { openAPIV3Schema?: OpenApiSchema } }[];
    };
    if (spec?.group !== SWITCHYARD_GROUP) continue;
    const kind = spec.names?.kind;
    if (!kinds.has(kind)) continue;
    const schema = spec.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
    if (!schema) throw new Error(`${file}: no openAPIV3Schema for ${SWITCHYARD_GROUP}/${version}`);
    assertCelRulesImplemented(schema, '', file);
    let compiled: ValidateFunction | undefined;
    byKind.set(kind as string, {
      schema,
      validator: () => {
        compiled ??= ajv.compile(openApiToAjv(schema));
        return compiled;
      },
    });
  }
  for (const kind of kinds.kinds) {
    if (!byKind.has(kind)) throw new Error(`no CRD for ${kind} (${SWITCHYARD_GROUP}) in ${crdDir}`);
  }

  return {
    kinds: [...byKind.keys()],
    schemaOf(kind) {
      return (byKind.get(kind) as KindSchema).schema;
    },
    validate(object) {
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        return { ok: false, issues: [{ field: '<root>', message: 'must be an object' }] };
      }
      const kind = (object as Record<string, unknown>)['kind'];
      const entry = typeof kind === 'string' ? byKind.get(kind) : undefined;
      if (!entry) {
        return { ok: false, issues: [{ field: 'kind', message: `must be one of: ${[...byKind.keys()].join(', ')}` }] };
      }
      const copy = clonePlainData(object) as Record<string, unknown>;
      delete copy['status'];
      const issues = validateObjectMeta(copy['metadata']);
      if (copy['apiVersion'] !== SWITCHYARD_API_VERSION) {
        issues.push({ field: 'apiVersion', message: `must be ${SWITCHYARD_API_VERSION}` });
      }
      const validate = entry.validator();
      if (!validate(copy)) {
        issues.push(...(validate.errors ?? []).map(describeAjvError));
      } else if (issues.length === 0) {
        celIssues(entry.schema, copy, '', issues);
      }
      return issues.length === 0 ? { ok: true, issues, value: copy as unknown as SwitchyardManifest } : { ok: false, issues };
    },
  };
}
