// Standalone mode: manifests on disk -> routing table, with the same validation the API server
// applies and stricter reference checks (nothing generates a missing Secret here, and a broken
// reference on a laptop is a typo, not an object that will appear later). Problems make one
// ConfigError line naming, for each, the file, the object and the field.

import { compileRoutingTable, type CompileResult, type CompileState } from '../compile/compile-routing-table.js';
import { ConfigError } from '../config-error.js';
import type { ObjectDiagnostic } from '../diagnostics.js';
import type { KindObject } from '../kinds/kind-definition.js';
import { BUILTIN_KINDS } from '../kinds/kind-registry.js';
import { describeObject, type SecretManifest } from '../manifest-types.js';
import {
  DEFAULT_NAMESPACE,
  ManifestParseCache,
  objectKey,
  readManifestFiles,
  type ManifestFile,
} from '../manifests/parse-manifest-files.js';
import { loadCrdSchemas, type CrdSchemas } from '../schema/load-crd-schemas.js';
import type { PriceCatalog } from '../pricing/price-catalog.js';
import type { RoutingTable } from '../table-types.js';
import { contentHashOf, readConfigFiles } from './read-config-files.js';

export interface StandaloneOptions {
  /** Values for `${NAME}` in Secret stringData; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Version of the produced table; defaults to 1. */
  version?: number;
  /** Namespaces whose routes every key sees; defaults to ["default"]. */
  sharedNamespaces?: string[];
  /** Where the CRDs are; defaults to the repository's crds/. */
  crdDir?: string;
  clock?: () => Date;
  priceCatalog?: PriceCatalog;
  /**
   * Parses and validations of files already read, reused for files whose content did not change
   * (a watcher passes one from load to load). Only for the same env and crdDir.
   */
  cache?: ManifestParseCache;
}

export interface StandaloneResult {
  table: RoutingTable;
  diagnostics: ObjectDiagnostic[];
  /** The manifest files read, in order. */
  files: string[];
  /** Objects of other kinds that were ignored, one line each. */
  notes: string[];
  /** Ignored objects that look like Switchyard's (probably a wrong apiVersion), one line each. */
  warnings: string[];
  /** Identifies the files' content; the watcher recompiles only when it changes. */
  contentHash: string;
  /** The parse cache this compilation used (the one passed, or a new one), for the next compilation of the same files. */
  cache: ManifestParseCache;
}

const schemaCache = new Map<string, CrdSchemas>();

function schemasFor(crdDir: string | undefined): CrdSchemas {
  const cacheKey = crdDir ?? '';
  let schemas = schemaCache.get(cacheKey);
  if (!schemas) {
    schemas = crdDir === undefined ? loadCrdSchemas() : loadCrdSchemas(crdDir);
    schemaCache.set(cacheKey, schemas);
  }
  return schemas;
}

function failingCondition(diagnostic: ObjectDiagnostic) {
  return (
    diagnostic.conditions.find((c) => c.type === 'Accepted' && c.status === 'False') ??
    diagnostic.conditions.find((c) => c.type === 'ResolvedRefs' && c.status === 'False')
  );
}

/** The checks each kind adds for standalone mode (VirtualKey: its Secret must be among the manifests). */
function checkStandaloneReferences(
  objects: readonly KindObject[],
  secrets: readonly SecretManifest[],
  sourceOf: (object: KindObject) => string,
): ConfigError[] {
  const secretIds = new Set(secrets.map((s) => `${s.metadata.namespace ?? DEFAULT_NAMESPACE}/${s.metadata.name}`));
  const errors: ConfigError[] = [];
  for (const object of objects) {
    const problem = BUILTIN_KINDS.get(object.kind).checkStandalone?.(object, secretIds);
    if (problem) errors.push(new ConfigError({ file: sourceOf(object), object: describeObject(object.kind, object.metadata), ...problem }));
  }
  return errors;
}

/**
 * Compiles already-read files; the watcher uses this so it compiles exactly what it hashed.
 * Every problem of a stage is reported together (documents that do not parse, then objects that
 * fail their schema or references, then objects the compiler rejects), so one run names them all.
 */
/**
 * The compile state of the last compile per parse cache: the parse cache keeps unchanged files'
 * objects identical, so the next compile with the same cache recompiles only what changed
 * (CompileInput.previous). Weak, so a dropped cache drops its state.
 */
const compileStates = new WeakMap<ManifestParseCache, CompileState>();

export function compileStandaloneFiles(files: ManifestFile[], options: StandaloneOptions = {}): StandaloneResult {
  const cache = options.cache ?? new ManifestParseCache();
  const { parsed, errors } = readManifestFiles(files, { ...(options.env ? { env: options.env } : {}), cache });
  cache.retain(files.map((file) => file.path));
  const unparsed = errors.length > 0;
  const schemas = schemasFor(options.crdDir);
  const sourceOf = (object: { kind: string; metadata: { namespace?: string; name: string } }): string =>
    parsed.sources[objectKey(object.kind, object.metadata.namespace ?? DEFAULT_NAMESPACE, object.metadata.name)]?.path ?? '<unknown file>';

  // Kind by kind, in registry order, so the order of the problems does not depend on file order.
  const inKindOrder = BUILTIN_KINDS.all().flatMap((kind) => parsed.objects.filter((object) => object.kind === kind.kind));
  const objects: KindObject[] = [];
  for (const object of inKindOrder) {
    const result = cache.validation(object, () => schemas.validate(object));
    if (result.ok && result.value) {
      objects.push(result.value);
      continue;
    }
    const [first, ...rest] = result.issues;
    const where = { file: sourceOf(object), object: describeObject(object.kind, object.metadata) };
    errors.push(
      new ConfigError({
        ...where,
        field: first?.field ?? '',
        reason: first?.message ?? 'invalid',
        more: rest.map((issue) => ({ ...where, field: issue.field, reason: issue.message })),
      }),
    );
  }
  // A Secret in a document that did not parse would be reported missing too: a second message
  // for one problem. Likewise compiling what is left would add problems that follow from these
  // (a fallback to a route that failed validation), so each stage runs only on a clean earlier one.
  if (!unparsed) errors.push(...checkStandaloneReferences(objects, parsed.secrets, sourceOf));
  if (errors.length > 0) throw ConfigError.combine(errors);

  const previous = compileStates.get(cache);
  const compiled: CompileResult = compileRoutingTable({
    ...(previous === undefined ? {} : { previous }),
    objects,
    secrets: parsed.secrets,
    configMaps: parsed.configMaps,
    sharedNamespaces: options.sharedNamespaces ?? [DEFAULT_NAMESPACE],
    version: options.version ?? 1,
    standalone: true,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.priceCatalog ? { priceCatalog: options.priceCatalog } : {}),
  });
  compileStates.set(cache, compiled.state);
  for (const diagnostic of compiled.diagnostics) {
    const failing = failingCondition(diagnostic);
    if (failing) {
      errors.push(
        new ConfigError({
          file: sourceOf({ kind: diagnostic.kind, metadata: diagnostic }),
          object: describeObject(diagnostic.kind, diagnostic),
          reason: `${failing.type}=False (${failing.reason}): ${failing.message}`,
        }),
      );
    }
  }
  if (errors.length > 0) throw ConfigError.combine(errors);
  return {
    table: compiled.table,
    diagnostics: compiled.diagnostics,
    files: files.map((file) => file.path),
    notes: parsed.notes,
    warnings: parsed.warnings,
    contentHash: contentHashOf(files),
    cache,
  };
}

/**
 * Reads a manifest file or directory (`*.yaml`, `*.yml`, recursively, sorted) and compiles it.
 * Rejects with ConfigError (one line: file, object, field, reason) on any invalid object, on a
 * VirtualKey whose Secret is not among the manifests, and on any object the compiler could not
 * accept or whose references did not resolve.
 */
export async function compileStandaloneConfig(path: string, options: StandaloneOptions = {}): Promise<StandaloneResult> {
  return compileStandaloneFiles(await readConfigFiles(path), options);
}
