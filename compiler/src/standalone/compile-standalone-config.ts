// Standalone mode: manifests on disk -> routing table, with the same validation the API server
// applies and stricter reference checks (nothing generates a missing Secret here, and a broken
// reference on a laptop is a typo, not an object that will appear later). Any problem is one
// ConfigError line naming the file, the object and the field.

import { compileRoutingTable, type CompileResult } from '../compile/compile-routing-table.js';
import { ConfigError } from '../config-error.js';
import type { ObjectDiagnostic } from '../diagnostics.js';
import { describeObject, type SwitchyardManifest } from '../manifest-types.js';
import { DEFAULT_NAMESPACE, objectKey, parseManifestFiles, type ManifestFile } from '../manifests/parse-manifest-files.js';
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
}

export interface StandaloneResult {
  table: RoutingTable;
  diagnostics: ObjectDiagnostic[];
  /** The manifest files read, in order. */
  files: string[];
  /** Objects of other kinds that were ignored, one line each. */
  notes: string[];
  /** Identifies the files' content; the watcher recompiles only when it changes. */
  contentHash: string;
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

/** Compiles already-read files; the watcher uses this so it compiles exactly what it hashed. */
export function compileStandaloneFiles(files: ManifestFile[], options: StandaloneOptions = {}): StandaloneResult {
  const parsed = parseManifestFiles(files, options.env ? { env: options.env } : {});
  const schemas = schemasFor(options.crdDir);
  const sourceOf = (object: { kind: string; metadata: { namespace?: string; name: string } }): string =>
    parsed.sources[objectKey(object.kind, object.metadata.namespace ?? DEFAULT_NAMESPACE, object.metadata.name)]?.path ?? '<unknown file>';

  const validated = <T extends SwitchyardManifest>(objects: readonly T[]): T[] =>
    objects.map((object) => {
      const result = schemas.validate(object);
      if (!result.ok || !result.value) {
        const [first, ...rest] = result.issues;
        throw new ConfigError({
          file: sourceOf(object),
          object: describeObject(object.kind, object.metadata),
          field: first?.field ?? '',
          reason: first?.message ?? 'invalid',
          more: rest.map((issue) => `${issue.field}: ${issue.message}`),
        });
      }
      return result.value as T;
    });
  const routes = validated(parsed.routes);
  const virtualKeys = validated(parsed.virtualKeys);
  const budgets = validated(parsed.budgets);

  const secretIds = new Set(parsed.secrets.map((s) => `${s.metadata.namespace ?? DEFAULT_NAMESPACE}/${s.metadata.name}`));
  for (const key of virtualKeys) {
    const namespace = key.metadata.namespace ?? DEFAULT_NAMESPACE;
    if (!secretIds.has(`${namespace}/${key.spec.secretName}`)) {
      throw new ConfigError({
        file: sourceOf(key),
        object: describeObject('VirtualKey', key.metadata),
        field: 'spec.secretName',
        reason: `Secret ${namespace}/${key.spec.secretName} is not among the manifests (standalone mode never generates keys: add a Secret with data.key or stringData.key)`,
      });
    }
  }

  const compiled: CompileResult = compileRoutingTable({
    routes,
    virtualKeys,
    budgets,
    secrets: parsed.secrets,
    sharedNamespaces: options.sharedNamespaces ?? [DEFAULT_NAMESPACE],
    version: options.version ?? 1,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.priceCatalog ? { priceCatalog: options.priceCatalog } : {}),
  });
  for (const diagnostic of compiled.diagnostics) {
    const failing = failingCondition(diagnostic);
    if (failing) {
      throw new ConfigError({
        file: sourceOf({ kind: diagnostic.kind, metadata: diagnostic }),
        object: describeObject(diagnostic.kind, diagnostic),
        reason: `${failing.type}=False (${failing.reason}): ${failing.message}`,
      });
    }
  }
  return {
    table: compiled.table,
    diagnostics: compiled.diagnostics,
    files: files.map((file) => file.path),
    notes: parsed.notes,
    contentHash: contentHashOf(files),
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
