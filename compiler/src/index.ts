export * from './table-types.js';
export * from './manifest-types.js';
export * from './generated/resource-shapes.js';
export type { ObjectMeta } from './object-meta-types.js';
export * from './diagnostics.js';
export { ConfigError, type ConfigErrorDetails } from './config-error.js';
export { PROVIDER_DEFAULTS, resolveBaseURL, type ProviderDefaults, type OpenAICompatibleProvider } from './provider-defaults.js';
export { defaultCrdDir } from './crd-location.js';
export { loadCrdSchemas, type CrdSchemas, type ValidationResult } from './schema/load-crd-schemas.js';
export { formatSchemaIssue, type SchemaIssue } from './schema/schema-issue.js';
export type { OpenApiSchema, CelValidationRule } from './schema/openapi-schema.js';
export { DURATION_PATTERN, parseDurationMs } from './values/duration.js';
export { MONEY_PATTERN, parseMoneyNanos, formatNanosAsUsd } from './values/money.js';
export { globToRegExpSource, globMatches } from './values/glob.js';
export { canonicalJson } from './values/canonical-json.js';
export {
  parseManifestFiles,
  objectsOfKind,
  objectKey,
  DEFAULT_NAMESPACE,
  type ManifestFile,
  type ManifestSource,
  type ParsedManifests,
  type ParseOptions,
} from './manifests/parse-manifest-files.js';
export { expandEnvReferences, EnvExpansionError } from './manifests/expand-env.js';
export { BUILTIN_KINDS, KindRegistry } from './kinds/kind-registry.js';
export { defineKind, type KindDefinition, type KindObject, type TableObjectRef, type StandaloneProblem, type GeneratedSecret } from './kinds/kind-definition.js';
export { condition, reject, type Admitted, type CompileContext } from './compile/compile-context.js';
export { compileRoutingTable, hashTableContent, type CompileInput, type CompileResult } from './compile/compile-routing-table.js';
export { keyDigest, keyHint, MIN_KEY_LENGTH } from './compile/compile-virtual-key.js';
export { selectorMatches } from './compile/label-selector.js';
export { BUILTIN_PRICE_CATALOG, type PriceCatalog, type CatalogPrice } from './pricing/price-catalog.js';
export {
  compileStandaloneConfig,
  compileStandaloneFiles,
  type StandaloneOptions,
  type StandaloneResult,
} from './standalone/compile-standalone-config.js';
export {
  watchStandaloneConfig,
  type StandaloneWatchOptions,
  type StandaloneWatchHandlers,
  type StandaloneWatcher,
} from './standalone/watch-standalone-config.js';
export { readConfigFiles, contentHashOf } from './standalone/read-config-files.js';
export { redactSecrets } from './values/redact-secrets.js';
export type { SpendSnapshot, SpendSnapshotEntry, UsageReport, UsageReportEntry } from './spend-report-types.js';
