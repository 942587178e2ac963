// SIGTERM: stop accepting, let in-flight requests (streams included) finish, exit 0.
import { describe, expect, it } from '@jest/globals';
import { startGateway } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, openAIClient, routeObject, testKey } from './core-fixtures.js';

const key = testKey('shutdown');

describe('graceful shutdown', () => {
  it('drains an in-flight request and exits 0 on SIGTERM', async () => {
    const gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'slow', backends: [mockBackend('slow-backend', { latency: '700ms', response: 'finished anyway' })] })) },
    });
    const exited = new Promise<number | null>((resolveExit) => gateway.process.once('exit', (code) => resolveExit(code)));
    const pending = openAIClient(gateway, key).chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'x' }] });
    await new Promise((r) => setTimeout(r, 200));
    gateway.process.kill('SIGTERM');
    const completion = await pending;
    expect(completion.choices[0]?.message.content).toBe('finished anyway');
    expect(await exited).toBe(0);
    expect(gateway.logs()).toContain('"msg":"shutting down"');
    await gateway.stop();
  });

  it('drains a stream in flight', async () => {
    const gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'slow', backends: [mockBackend('slow-backend', { latency: '500ms', response: 'streamed to the end' })] })) },
    });
    const exited = new Promise<number | null>((resolveExit) => gateway.process.once('exit', (code) => resolveExit(code)));
    const streamPromise = openAIClient(gateway, key).chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'x' }], stream: true });
    await new Promise((r) => setTimeout(r, 150));
    gateway.process.kill('SIGTERM');
    let text = '';
    for await (const chunk of await streamPromise) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed to the end');
    expect(await exited).toBe(0);
    await gateway.stop();
  });
});
