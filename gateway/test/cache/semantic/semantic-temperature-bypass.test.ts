// Requests whose temperature is above the route's maxTemperature are not looked up or stored
// semantically: a caller asking for variety should not get a neighbour's answer. At or below the
// ceiling the same paraphrase hits.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { ask, askAndStore, type CountingUpstream, embeddingCalls, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('semtemperature');

describe('semantic cache: temperature ceiling', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'temp', key, semantic: { maxTemperature: 0.5 } }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('at the ceiling: a paraphrase hits', async () => {
    const stored = await askAndStore(gateway, key, 'chat', 'Write a short poem about autumn.', { temperature: 0.5 });
    const paraphrase = await ask(gateway, key, 'chat', 'Compose a short poem about autumn.', { temperature: 0.5 });
    expect(paraphrase.cache).toBe('semantic-hit');
    expect(paraphrase.text).toBe(stored.text);
  });

  it('above the ceiling: a miss, no embedding call, logged as temperature', async () => {
    const stored = await askAndStore(gateway, key, 'chat', 'Write a short poem about winter.', { temperature: 0.9 });
    const embeddingsBefore = await embeddingCalls(gateway);
    const paraphrase = await ask(gateway, key, 'chat', 'Compose a short poem about winter.', { temperature: 0.9 });
    expect(paraphrase.cache).toBe('miss');
    expect(paraphrase.text).not.toBe(stored.text);
    expect(await embeddingCalls(gateway)).toBe(embeddingsBefore);
    expect(gateway.logs()).toContain('"cacheSemantic":"temperature"');
  });
});
