// SIGTERM: stop accepting, let in-flight requests (streams included) finish, exit 0.
import { describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, openAIClient, routeObject, testKey } from './core-fixtures.js';

const key = testKey('shutdown');

/** Waits until the gateway reports a request in flight, so the signal lands mid-request. */
async function requestInFlight(gateway: GatewayProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    if (/^switchyard_requests_in_flight 1$/m.test(metrics)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no request in flight');
}

describe('graceful shutdown', () => {
  it('drains an in-flight request and exits 0 on SIGTERM', async () => {
    const gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({ name: 'slow', backends: [mockBackend('slow-backend', { latency: '1s', response: 'finished anyway' })] }),
        ),
      },
    });
    const exited = new Promise<number | null>((resolveExit) => gateway.process.once('exit', (code) => resolveExit(code)));
    const pending = openAIClient(gateway, key).chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'x' }] });
    await requestInFlight(gateway);
    gateway.process.kill('SIGTERM');
    const completion = await pending;
    expect(completion.choices[0]?.message.content).toBe('finished anyway');
    expect(await exited).toBe(0);
    expect(gateway.logs()).toContain('"msg":"shutting down"');
    await gateway.stop();
  });

  it('drains a stream in flight', async () => {
    const gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({ name: 'slow', backends: [mockBackend('slow-backend', { latency: '1s', response: 'streamed to the end' })] }),
        ),
      },
    });
    const exited = new Promise<number | null>((resolveExit) => gateway.process.once('exit', (code) => resolveExit(code)));
    const streamPromise = openAIClient(gateway, key).chat.completions.create({
      model: 'slow',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await requestInFlight(gateway);
    gateway.process.kill('SIGTERM');
    let text = '';
    for await (const chunk of await streamPromise) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed to the end');
    expect(await exited).toBe(0);
    await gateway.stop();
  });
});
