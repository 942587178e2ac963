// Shared set-up of the tracing tests: a loopback OTLP collector, an OpenAI-shaped upstream and a
// gateway process exporting to the collector over OTLP/HTTP JSON with a short batch delay.
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents } from './core-fixtures.js';

export interface TracedGateway {
  collector: OtlpCollector;
  upstream: OpenAIMockServer;
  gateway: GatewayProcess;
  close(): Promise<void>;
}

/** The OTEL_* variables that point a gateway at `collectorUrl`. */
function tracingEnv(collectorUrl: string): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' };
}

/** `objects` builds the manifests once the upstream's URL is known; `prepareUpstream` runs before the gateway starts. */
export async function startTracedGateway(
  objects: (upstreamUrl: string) => unknown[],
  options: { env?: Record<string, string>; prepareUpstream?: (upstream: OpenAIMockServer) => void } = {},
): Promise<TracedGateway> {
  const collector = await startOtlpCollector();
  const upstream = await startOpenAIMockServer();
  options.prepareUpstream?.(upstream);
  let gateway: GatewayProcess;
  try {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...(objects(upstream.url) as Parameters<typeof documents>)) },
      env: { ...tracingEnv(collector.url), ...options.env },
    });
  } catch (error) {
    await upstream.close();
    await collector.close();
    throw error;
  }
  return {
    collector,
    upstream,
    gateway,
    async close() {
      await gateway.stop();
      await upstream.close();
      await collector.close();
    },
  };
}
