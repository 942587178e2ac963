// x-switchyard-cache-threshold: a caller can make one request's semantic matching stricter than
// the route's threshold, never looser; a value that is not a number in (0, 1] is refused with a
// 400 naming the header.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { errorOf, postJson } from '../../core/core-fixtures.js';
import { ask, askAndStore, type CountingUpstream, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('semthreshold');
const STORED = 'In JavaScript, how do I remove duplicate entries from an array?';
const PARAPHRASE = 'In JavaScript, how do I remove duplicate entries from an array quickly?';

describe('semantic cache: per-request threshold', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'threshold', key }));
    await askAndStore(gateway, key, 'chat', STORED);
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('a stricter threshold than the similarity turns the hit into a miss', async () => {
    const loose = await ask(gateway, key, 'chat', PARAPHRASE);
    expect(loose.cache).toBe('semantic-hit');
    const similarity = loose.similarity as number;
    expect(similarity).toBeLessThan(0.999);
    const strict = await ask(gateway, key, 'chat', PARAPHRASE, { headers: { 'x-switchyard-cache-threshold': '0.999' } });
    expect(strict.cache).toBe('miss');
  });

  it('a looser threshold than the route counts as the route threshold', async () => {
    await askAndStore(gateway, key, 'chat', 'What is the capital of France?');
    const unrelated = await ask(gateway, key, 'chat', 'What is the capital of Spain?', {
      headers: { 'x-switchyard-cache-threshold': '0.01' },
    });
    expect(unrelated.cache).toBe('miss');
  });

  it.each(['1.5', '0', 'high', '-0.2'])('refuses %s with a 400 naming the header', async (value) => {
    const { status, json } = await postJson(
      gateway,
      '/v1/chat/completions',
      key,
      { model: 'chat', messages: [{ role: 'user', content: PARAPHRASE }] },
      { 'x-switchyard-cache-threshold': value },
    );
    expect(status).toBe(400);
    expect(errorOf(json).message).toContain('x-switchyard-cache-threshold');
    expect(errorOf(json).param).toBe('x-switchyard-cache-threshold');
  });
});
