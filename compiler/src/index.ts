export * from './table-types.js';
export * from './manifest-types.js';
export * from './diagnostics.js';
export { ConfigError, type ConfigErrorDetails } from './config-error.js';
export { PROVIDER_DEFAULTS, PROVIDER_NAMES, resolveBaseURL, type ProviderDefaults } from './provider-defaults.js';
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
  objectKey,
  DEFAULT_NAMESPACE,
  type ManifestFile,
  type ManifestSource,
  type ParsedManifests,
  type ParseOptions,
} from './manifests/parse-manifest-files.js';
export { expandEnvReferences, EnvExpansionError } from './manifests/expand-env.js';
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
export { createLogger, errorMessage, silentLogger, type Logger, type LoggerOptions } from './shared/logger.js';
export {
  FlagError,
  parseFlagValues,
  portFlag,
  durationFlag,
  rejectUnanchoredFlags,
  readCommandFlags,
  exitCommand,
} from './shared/command-flags.js';
export { budgetPeriodStartMs, nextBudgetPeriodStartMs, secondsUntilBudgetReset } from './shared/budget-period.js';
export { countField, isRecord, optionalNumber, optionalString, stringField, tryParseJson, type JsonRecord } from './shared/json-narrowing.js';
export {
  TABLE_STREAM_PATH,
  ACK_PATH,
  USAGE_REPORTS_PATH,
  GATEWAY_ID_HEADER,
  TABLE_ENCODING,
  parseAckMessage,
  type HelloMessage,
  type TableMessage,
  type AckMessage,
} from './shared/table-stream-protocol.js';
