// Batches are governed like chat, through two gateway processes sharing Redis: a submission
// counts under the key's requestsPerMinute; its estimate (every line's prompt bound and max
// tokens) is held in the key's budget from submission until the results are fetched, on any
// replica, and then replaced by the results' cost; uploads are bounded in bytes and lines, with
// errors naming the flag.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { APIError, toFile } from 'openai';
import { apiRefusal, documents, openAIClient, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { budgetObject, governedKey } from '../governance/governance-fixtures.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../governance/redis-server-process.js';
import { startBatchApiMock, type BatchApiMock } from '../mocks/batch-api-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const HELD = testKey('batchheld');
const LIMITED = testKey('batchlimited');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

function inputFile(lines: number, maxTokens: number): Buffer {
  const text = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      custom_id: `r${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-batch', max_tokens: maxTokens, messages: [{ role: 'user', content: `q${i}` }] },
    }),
  ).join('\n');
  return Buffer.from(text);
}

describeWithRedis('batch governance across replicas', () => {
  let redis: RedisServer;
  let upstream: BatchApiMock;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startBatchApiMock('openai', 'sk-upstream');
    const manifests = {
      'all.yaml': documents(
        secretObject('openai', { apiKey: 'sk-upstream' }),
        routeObject({
          name: 'gpt-batch',
          backends: [
            {
              name: 'openai',
              provider: 'openai',
              model: 'gpt-upstream',
              baseURL: `${upstream.server.url}/v1`,
              credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
              pricing: { inputPerMillion: '1', outputPerMillion: '2' },
            },
          ],
        }),
        ...governedKey({ name: 'held', key: HELD, labels: { team: 'held' } }),
        ...governedKey({ name: 'limited', key: LIMITED, rateLimit: { requestsPerMinute: 1 } }),
        // One batch of two lines with max_tokens 1000 reserves a little over $0.004 (2,000 output
        // tokens at $2/M and the prompts' bound): one fits in $0.006, two do not.
        budgetObject({ name: 'held', matchLabels: { team: 'held' }, limit: '0.006' }),
      ),
    };
    const args = ['--redis-url', redis.url, '--redis-timeout', '500ms', '--max-batch-lines', '3', '--max-file-bytes', '4096'];
    [a, b] = await Promise.all([startGateway({ manifests, args }), startGateway({ manifests, args })]);
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await upstream?.close();
    await redis?.stop();
  });

  it('holds a batch estimate in the budget until its results are fetched, then charges their cost instead', async () => {
    const first = await openAIClient(a, HELD).files.create({ file: await toFile(inputFile(2, 1000), 'one.jsonl'), purpose: 'batch' });
    const second = await openAIClient(a, HELD).files.create({ file: await toFile(inputFile(2, 1000), 'two.jsonl'), purpose: 'batch' });
    const running = await openAIClient(a, HELD).batches.create({
      input_file_id: first.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    // The first batch's reservation leaves no room for the second, on either replica.
    const refused = await apiRefusal(
      openAIClient(b, HELD).batches.create({ input_file_id: second.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
    );
    expect(refused.status).toBe(429);
    expect((refused.error as { code?: string }).code).toBe('budget_exceeded');
    upstream.completeAll();
    const done = await openAIClient(b, HELD).batches.retrieve(running.id);
    const results = await openAIClient(b, HELD).files.content(done.output_file_id ?? '');
    expect(results.headers.get('x-switchyard-cost-usd')).toBe('0.00002');
    // Fetching the results released the reservation (settlement reaches Redis shortly after the answer).
    let admitted: OpenAI.Batches.Batch | undefined;
    for (let attempt = 0; attempt < 50 && admitted === undefined; attempt++) {
      admitted = await openAIClient(a, HELD)
        .batches.create({ input_file_id: second.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
        .catch(async (error: unknown) => {
          if (!(error instanceof APIError) || error.status !== 429) throw error;
          await new Promise((resolveWait) => setTimeout(resolveWait, 100));
          return undefined;
        });
    }
    expect(admitted?.status).toBe('in_progress');
  });

  it("counts a batch submission under the key's requestsPerMinute", async () => {
    const file = await openAIClient(a, LIMITED).files.create({ file: await toFile(inputFile(1, 10), 'l.jsonl'), purpose: 'batch' });
    await openAIClient(a, LIMITED).batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const refused = await apiRefusal(
      openAIClient(b, LIMITED).batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
    );
    expect(refused.status).toBe(429);
    expect(refused.message).toContain('1 requests per minute');
  });

  it('refuses an upload over --max-file-bytes or with more lines than --max-batch-lines, naming the limit', async () => {
    const tooMany = await apiRefusal(
      openAIClient(a, HELD).files.create({ file: await toFile(inputFile(4, 10), 'many.jsonl'), purpose: 'batch' }),
    );
    expect(tooMany.status).toBe(413);
    expect(tooMany.message).toContain('more than 3 requests');
    const tooBig = await apiRefusal(
      openAIClient(a, HELD).files.create({ file: await toFile(Buffer.alloc(5000, 'x'), 'big.jsonl'), purpose: 'batch' }),
    );
    expect(tooBig.status).toBe(413);
    expect(tooBig.message).toContain('--max-file-bytes');
  });
});
