// Questions that read alike but ask something else are never answered from each other's entries:
// a negation, a different number, a different entity, another language. Each case first shows
// that a paraphrase of the stored question does hit, so a miss is the threshold's doing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { ask, askAndStore, type CountingUpstream, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('semnearmiss');

// [stored question, a paraphrase that must hit, a near miss that must not], from bench/semantic-eval/pairs.jsonl.
const CASES: Record<string, [string, string, string]> = {
  negation: ['Which plants are toxic to cats?', 'Which plants are poisonous to cats?', 'Which plants are not toxic to cats?'],
  number: ['Convert 100 Fahrenheit to Celsius.', 'Please convert 100 Fahrenheit into Celsius.', 'Convert 10 Fahrenheit to Celsius.'],
  entity: ['What is the currency of Japan?', 'What money is used in Japan?', 'What is the currency of Brazil?'],
  language: ['How do I cancel my subscription?', 'How can I cancel my subscription, please?', '¿Cómo cancelo mi suscripción?'],
};

describe('semantic cache: near misses', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'near', key }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it.each(Object.entries(CASES))('%s: the paraphrase hits, the near miss does not', async (kind, [question, paraphrase, nearMiss]) => {
    // Each case in its own partition, so one case's entries cannot answer another's.
    const system = `near-miss case ${kind}`;
    const stored = await askAndStore(gateway, key, 'chat', question, { system });
    const hit = await ask(gateway, key, 'chat', paraphrase, { system });
    expect(hit.cache).toBe('semantic-hit');
    expect(hit.text).toBe(stored.text);
    const callsBefore = upstream.calls();
    const miss = await ask(gateway, key, 'chat', nearMiss, { system });
    expect(miss.cache).toBe('miss');
    expect(miss.text).not.toBe(stored.text);
    expect(upstream.calls() - callsBefore).toBe(1);
  });
});
