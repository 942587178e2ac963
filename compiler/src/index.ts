export * from './table-types.js';
export * from './manifest-types.js';
export * from './generated/resource-shapes.js';
export type { ObjectMeta } from './object-meta-types.js';
export * from './diagnostics.js';
export { ConfigError } from './config-error.js';
export { PROVIDER_DEFAULTS, resolveBaseURL, type OpenAICompatibleProvider } from './provider-defaults.js';
export { loadCrdSchemas, type CrdSchemas } from './schema/load-crd-schemas.js';
export type { OpenApiSchema } from './schema/openapi-schema.js';
export { parseDurationMs } from './values/duration.js';
export { MONEY_PATTERN, parseMoneyNanos, formatNanosAsUsd } from './values/money.js';
export { globToRegExpSource, globMatches } from './values/glob.js';
export { canonicalJson } from './values/canonical-json.js';
export { parseManifestFiles, objectsOfKind, objectKey, ManifestParseCache } from './manifests/parse-manifest-files.js';
export { expandEnvReferences } from './manifests/expand-env.js';
export { BUILTIN_KINDS, KindRegistry } from './kinds/kind-registry.js';
export { defineKind, type KindDefinition, type KindObject } from './kinds/kind-definition.js';
export { condition, reject } from './compile/compile-context.js';
export {
  compileRoutingTable,
  hashTableContent,
  type CompileInput,
  type CompileResult,
  type CompileState,
} from './compile/compile-routing-table.js';
export { routingTableJson } from './compile/table-json.js';
export { keyDigest, keyHint } from './compile/compile-virtual-key.js';
export {
  OPENAPI_MAX_DOCUMENT_BYTES,
  OPENAPI_MAX_OPERATIONS,
  OPENAPI_MAX_REF_DEPTH,
  OPENAPI_MAX_SCHEMA_NODES,
} from './compile/compile-openapi.js';
export { selectorMatches } from './compile/label-selector.js';
export { audioBillingUnit, BUILTIN_PRICE_CATALOG, type PriceCatalog } from './pricing/price-catalog.js';
export { lookUpImagePrice, type ImagePriceEntry, type ImageTokenPrice, type PerImagePrice } from './pricing/image-price-catalog.js';
export { BATCH_DISCOUNTS } from './pricing/batch-discounts.js';
export { realtimeCatalogPrice, type RealtimeCatalogEntry } from './pricing/realtime-price-catalog.js';
export { compileStandaloneConfig, compileStandaloneFiles, type StandaloneResult } from './standalone/compile-standalone-config.js';
export { watchStandaloneConfig, type StandaloneWatchOptions } from './standalone/watch-standalone-config.js';
export { readConfigFiles } from './standalone/read-config-files.js';
export { redactSecrets } from './values/redact-secrets.js';
export type { SpendSnapshot, SpendSnapshotEntry, UsageReport, UsageReportEntry } from './spend-report-types.js';
export {
  TRAFFIC_LATENCY_BUCKETS_MS,
  TRAFFIC_LIMITS,
  type BackendState,
  type KeyTraffic,
  type RecentRequest,
  type RouteTraffic,
  type TrafficReport,
} from './traffic-report-types.js';
export {
  createLogger,
  DEFAULT_LOG_FLUSH_MS,
  errorMessage,
  MAX_LOG_FLUSH_MS,
  setLogFlushDelayMs,
  silentLogger,
  type Logger,
  type LoggerOptions,
} from './common/logger.js';
export {
  FlagError,
  parseFlagValues,
  portFlag,
  durationFlag,
  rejectUnanchoredFlags,
  readCommandFlags,
  exitCommand,
  LOG_FLAG_OPTIONS,
  logFlagsUsage,
  logSettings,
  type LogSettings,
} from './common/command-flags.js';
export { buildInfo, describeBuild } from './common/build-info.js';
export { exitOnStopSignals, type StopSignalOptions } from './common/stop-signals.js';
export { budgetPeriodStartMs, nextBudgetPeriodStartMs, secondsUntilBudgetReset } from './common/budget-period.js';
export {
  countField,
  isRecord,
  optionalNumber,
  optionalString,
  stringField,
  tryParseJson,
  type JsonRecord,
} from './common/json-narrowing.js';
export {
  TABLE_STREAM_PATH,
  ACK_PATH,
  USAGE_REPORTS_PATH,
  GATEWAY_ID_HEADER,
  TABLE_ENCODING,
  TABLE_DELTAS_HEADER,
  parseAckMessage,
  type HelloMessage,
  type TableMessage,
  type TableDeltaMessage,
  type AckMessage,
} from './common/table-stream-protocol.js';
export { indexTable, diffTables, applyTableChanges, type TableIndex, type TableChanges } from './common/table-delta.js';
