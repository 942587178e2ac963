// fallbackModels: after every attempt on the route failed, each fallback route is tried with
// its own attempts, and only when the caller's key may use it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const everything = testKey('fallbackall');
const primaryOnly = testKey('fallbackprimary');

describe('fallback models', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const outlierDetection = { consecutiveFailures: 1000 };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'everything', key: everything }),
          ...keyObjects({ name: 'primary-only', key: primaryOnly, allowedModels: ['big'] }),
          routeObject({
            name: 'big',
            backends: [mockBackend('big-backend', { failureRate: '1' })],
            outlierDetection,
            retry: { attempts: 2, backoff: { initial: '1ms', max: '5ms' } },
            fallbackModels: ['medium', 'small'],
          }),
          routeObject({
            name: 'medium',
            backends: [mockBackend('medium-backend', { failureRate: '1' })],
            outlierDetection,
            retry: { attempts: 1 },
          }),
          routeObject({ name: 'small', backends: [mockBackend('small-backend', { response: 'small answered' })] }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('walks the fallback list in order and answers from the first that works', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', everything, { model: 'big', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-backend')).toBe('small-backend');
    // big: 2 attempts, medium: 1, small: 1.
    expect(response.headers.get('x-switchyard-attempts')).toBe('4');
    const body = response.json as { model: string; choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe('small answered');
    // The reply names the model the caller asked for.
    expect(body.model).toBe('big');
  });

  it('skips fallbacks the key may not use', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', primaryOnly, { model: 'big', messages: HELLO });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(errorOf(response.json).message).not.toContain('small-backend');
  });
});
