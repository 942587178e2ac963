// Data residency: a VirtualKey with spec.backendSelector is only ever served by backends whose
// labels match, whatever the weights, retries and fallbacks would otherwise pick; a model with no
// matching backend answers 403 backend_selector_unmatched. Driven with the official OpenAI SDK
// through the gateway process, with upstreams that count what reached them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { API_VERSION, documents, HELLO, keyObjects, openAIClient, routeObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { answeredBy, compatibleBackend, countBy, startControlledUpstream, type ControlledUpstream } from './routing-fixtures.js';

const euKey = testKey('residencyeu');
const anyKey = testKey('residencyany');

function residencyKey(name: string, key: string, matchLabels: Record<string, string>): unknown[] {
  const [secret, virtualKey] = keyObjects({ name, key }) as [unknown, { spec: Record<string, unknown> }];
  virtualKey.spec.backendSelector = { matchLabels };
  return [secret, virtualKey];
}

describe('data residency (VirtualKey backendSelector)', () => {
  let gateway: GatewayProcess;
  let euFailing: ControlledUpstream;
  let euHealthy: ControlledUpstream;
  let usHealthy: ControlledUpstream;

  beforeAll(async () => {
    [euFailing, euHealthy, usHealthy] = await Promise.all([
      startControlledUpstream('eu-failing'),
      startControlledUpstream('eu-healthy'),
      startControlledUpstream('us-healthy'),
    ]);
    euFailing.status = 500;
    const eu = { labels: { region: 'eu', residency: 'gdpr' } };
    const us = { labels: { region: 'us' } };
    const outlierDetection = { consecutiveFailures: 1000 };
    const retry = { attempts: 3, backoff: { initial: '1ms', max: '2ms' } };
    gateway = await startGateway({
      manifests: {
        'residency.yaml': documents(
          ...residencyKey('eu', euKey, { region: 'eu' }),
          ...keyObjects({ name: 'any', key: anyKey }),
          // The us backend outweighs the eu one a thousand to one and shares its tier: without the
          // selector nearly every request would go there, and every retry after the eu failure would.
          routeObject({
            name: 'mixed',
            backends: [
              compatibleBackend('eu-a', euFailing, { ...eu, weight: 1 }),
              compatibleBackend('us-a', usHealthy, { ...us, weight: 1000 }),
            ],
            retry,
            outlierDetection,
            fallbackModels: ['us-only', 'eu-backup'],
          }),
          routeObject({ name: 'us-only', backends: [compatibleBackend('us-b', usHealthy, us)], outlierDetection }),
          routeObject({ name: 'eu-backup', backends: [compatibleBackend('eu-b', euHealthy, eu)], outlierDetection }),
          routeObject({
            name: 'eu-dead-end',
            backends: [compatibleBackend('eu-c', euFailing, eu), compatibleBackend('us-c', usHealthy, { ...us, priority: 1 })],
            retry,
            outlierDetection,
            fallbackModels: ['us-only'],
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([euFailing?.close(), euHealthy?.close(), usHealthy?.close()]);
  });

  it('retries and falls back only to matching backends: a failing eu backend never falls back to a us one', async () => {
    const client = openAIClient(gateway, euKey);
    const usBefore = usHealthy.server.requests.length;
    const answered: string[] = [];
    for (let i = 0; i < 5; i++) answered.push(await answeredBy(client, { model: 'mixed', messages: HELLO }));
    // mixed: eu-a three times (us-a filtered out), us-only skipped (no eu backend), eu-backup answers.
    expect(countBy(answered)).toEqual({ 'eu-b': 5 });
    expect(usHealthy.server.requests.length).toBe(usBefore);
    const { response } = await client.chat.completions.create({ model: 'mixed', messages: HELLO }).withResponse();
    expect(response.headers.get('x-switchyard-attempts')).toBe('4');
  });

  it('does not narrow keys without a selector (the same route answers from the us backend)', async () => {
    const answered = await answeredBy(openAIClient(gateway, anyKey), { model: 'mixed', messages: HELLO });
    expect(['us-a', 'us-b']).toContain(answered);
  });

  it('answers 403 backend_selector_unmatched naming the rule when a model has no matching backend', async () => {
    const usBefore = usHealthy.server.requests.length;
    const error = await openAIClient(gateway, euKey)
      .chat.completions.create({ model: 'us-only', messages: HELLO })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const denied = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(denied.status).toBe(403);
    expect(denied.code).toBe('backend_selector_unmatched');
    expect(denied.message).toContain('region=eu');
    expect(denied.message).toContain('spec.backendSelector');
    expect(denied.message).toContain('default/us-only');
    expect(usHealthy.server.requests.length).toBe(usBefore);
  });

  it('fails with 502 rather than leave the region when every matching backend fails', async () => {
    const usBefore = usHealthy.server.requests.length;
    const euBefore = euFailing.server.requests.length;
    const error = await openAIClient(gateway, euKey)
      .chat.completions.create({ model: 'eu-dead-end', messages: HELLO })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as Error).message).not.toContain('us-c');
    // eu-c took all three attempts; neither the lower-priority us tier nor the us-only fallback was tried.
    expect(euFailing.server.requests.length - euBefore).toBe(3);
    expect(usHealthy.server.requests.length).toBe(usBefore);
  });

  it('is refused at load when the selector is empty (the CRD rule, evaluated in standalone mode)', async () => {
    const before = gateway.logs().length;
    await gateway.writeManifest(
      'bad.yaml',
      documents({
        apiVersion: API_VERSION,
        kind: 'VirtualKey',
        metadata: { name: 'bad' },
        spec: { secretName: 'bad-key', backendSelector: { matchLabels: {} } },
      }),
    );
    const deadline = Date.now() + 10_000;
    while (!gateway.logs().slice(before).includes('backendSelector') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(gateway.logs().slice(before)).toContain('backendSelector');
  });
});
