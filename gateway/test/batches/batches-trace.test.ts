// Files and batches calls are observed like chat: a server span `batch <model>` with
// `gen_ai.operation.name: batch`, the route and backend the object is held by, and on the fetch of
// a batch's results their tokens and cost, exported over OTLP by the gateway process; a log line
// per call, and the token and cost metrics under the route and backend.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, { toFile } from 'openai';
import { documents, keyObjects, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startBatchApiMock, type BatchApiMock } from '../mocks/batch-api-mock-server.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { logRecords, metricValue } from '../governance/governance-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('batchtrace');

describe('batch trace spans', () => {
  let collector: OtlpCollector;
  let upstream: BatchApiMock;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    upstream = await startBatchApiMock('anthropic', 'anthropic-key');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('anthropic', { apiKey: 'anthropic-key' }),
          routeObject({
            name: 'traced-batch',
            backends: [
              {
                name: 'claude',
                provider: 'anthropic',
                model: 'claude-upstream',
                baseURL: upstream.server.url,
                credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
                pricing: { inputPerMillion: '1', outputPerMillion: '2' },
              },
            ],
          }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
      env: collector.gatewayEnv,
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await collector?.close();
  });

  it('names the operation, model, route and backend, and the results fetch carries tokens and cost', async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0, timeout: 20_000 });
    const line = JSON.stringify({
      custom_id: 'one',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'traced-batch', messages: [{ role: 'user', content: 'hi' }] },
    });
    const { data: file, response } = await openai.files
      .create({ file: await toFile(Buffer.from(line), 'in.jsonl'), purpose: 'batch' })
      .withResponse();
    const upload = await collector.spanOfRequest(response.headers.get('x-request-id'));
    expect(upload.name).toBe('batch traced-batch');
    expect(upload.attributes).toMatchObject({
      'gen_ai.operation.name': 'batch',
      'switchyard.route': 'default/traced-batch',
      'switchyard.backend': 'claude',
    });
    const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    upstream.completeAll();
    const done = await openai.batches.retrieve(batch.id);
    const results = await openai.files.content(done.output_file_id ?? '');
    const fetch = await collector.spanOfRequest(results.headers.get('x-request-id'));
    expect(fetch.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'switchyard.cost_usd': '0.00001',
    });

    // The log line of the results fetch, and the metrics under the batch's route and backend.
    const fetchId = results.headers.get('x-request-id');
    const fetchLine = logRecords(gateway).find((record) => record.msg === 'request' && record.requestId === fetchId);
    expect(fetchLine).toMatchObject({
      operation: 'files',
      model: 'traced-batch',
      route: 'default/traced-batch',
      backend: 'claude',
      inputTokens: 10,
      outputTokens: 5,
      costUsd: '0.00001',
    });
    const labels = { route: 'default/traced-batch', backend: 'claude' };
    expect(await metricValue(gateway, 'switchyard_tokens_total', { ...labels, direction: 'output' })).toBe(5);
    expect(await metricValue(gateway, 'switchyard_cost_usd_total', labels)).toBeCloseTo(0.00001, 9);
  });
});
