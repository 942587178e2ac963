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
      env: { ...collector.gatewayEnv, ...options.env },
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
