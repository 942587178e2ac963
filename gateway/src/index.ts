// @switchyard/gateway: the unified model, and the pieces to embed a gateway in another process
// (the e2e harness, benchmarks). The command line lives in cli/main.ts.
export * from './unified/index.js';
export { startGatewayServer, type GatewayServerOptions, type RunningGateway } from './server/gateway-server.js';
export { TableHolder } from './table/table-holder.js';
export { TableLoadError, type RuntimeTable } from './table/runtime-table.js';
export { createProviderRegistry, type ProviderRegistry } from './providers/registry.js';
export { GatewayMetrics } from './observe/metrics.js';
export { createLogger, type Logger } from '@switchyard/compiler';
export { UpstreamTransport } from './transport/upstream-transport.js';
export { createEgressGuard, DEFAULT_DENIED_UPSTREAM_CIDRS, parseCidrList } from './transport/egress-guard.js';
export { admitWithoutLimits, type AdmissionControl, type Admission } from './governance/admission-control.js';
