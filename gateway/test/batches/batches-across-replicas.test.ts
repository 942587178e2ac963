// Files and batches through two gateway processes sharing a real Redis, with the official
// `openai` SDK: uploads, batches and results for OpenAI (two accounts behind one model), Azure
// OpenAI and Anthropic Message Batches (mapped); every call about an object reaches the backend
// and credential that hold it whichever replica serves it; another key gets 404; a Block budget
// refuses a batch whose estimate does not fit; results are charged once, at the batch price.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toFile } from 'openai';
import { apiRefusal, documents, openAIClient, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { budgetObject, governedKey } from '../governance/governance-fixtures.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../governance/redis-server-process.js';
import { startBatchApiMock, type BatchApiMock } from '../mocks/batch-api-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const APP = testKey('batchapp');
const OTHER = testKey('batchother');
const TIGHT = testKey('batchtight');
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;
const pricing = { inputPerMillion: '1', outputPerMillion: '2' };

function inputFile(model: string, lines: number, maxTokens = 100): string {
  return Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model, max_tokens: maxTokens, messages: [{ role: 'user', content: `question ${i}` }] },
    }),
  ).join('\n');
}

describeWithRedis('files and batches across two replicas sharing Redis', () => {
  let redis: RedisServer;
  let accountA: BatchApiMock;
  let accountB: BatchApiMock;
  let azure: BatchApiMock;
  let anthropic: BatchApiMock;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    [accountA, accountB, azure, anthropic] = await Promise.all([
      startBatchApiMock('openai', 'sk-account-a'),
      startBatchApiMock('openai', 'sk-account-b'),
      startBatchApiMock('azure', 'azure-key'),
      startBatchApiMock('anthropic', 'anthropic-key'),
    ]);
    const credential = (name: string) => [{ secretRef: { name, key: 'apiKey' } }];
    const manifests = {
      'all.yaml': documents(
        secretObject('account-a', { apiKey: 'sk-account-a' }),
        secretObject('account-b', { apiKey: 'sk-account-b' }),
        secretObject('azure', { apiKey: 'azure-key' }),
        secretObject('anthropic', { apiKey: 'anthropic-key' }),
        routeObject({
          name: 'gpt-batch',
          backends: [
            {
              name: 'account-a',
              provider: 'openai',
              model: 'gpt-upstream',
              baseURL: `${accountA.server.url}/v1`,
              credentials: credential('account-a'),
              pricing,
            },
            {
              name: 'account-b',
              provider: 'openai',
              model: 'gpt-upstream',
              baseURL: `${accountB.server.url}/v1`,
              credentials: credential('account-b'),
              pricing,
            },
          ],
        }),
        routeObject({
          name: 'azure-batch',
          backends: [
            {
              name: 'azure',
              provider: 'azure-openai',
              model: 'gpt-4o-mini',
              baseURL: azure.server.url,
              azure: { deployment: 'batch-deployment', apiVersion: '2024-10-21' },
              credentials: credential('azure'),
              pricing,
            },
          ],
        }),
        routeObject({
          name: 'claude-batch',
          backends: [
            {
              name: 'claude',
              provider: 'anthropic',
              model: 'claude-upstream',
              baseURL: anthropic.server.url,
              credentials: credential('anthropic'),
              pricing,
            },
          ],
        }),
        ...governedKey({ name: 'app', key: APP, labels: { team: 'batches' } }),
        ...governedKey({ name: 'other', key: OTHER }),
        ...governedKey({ name: 'tight', key: TIGHT, labels: { team: 'tight' } }),
        budgetObject({ name: 'batches', matchLabels: { team: 'batches' }, limit: '10' }),
        budgetObject({ name: 'tight', matchLabels: { team: 'tight' }, limit: '0.0001' }),
      ),
    };
    const args = ['--redis-url', redis.url, '--redis-timeout', '500ms'];
    [a, b] = await Promise.all([startGateway({ manifests, args }), startGateway({ manifests, args })]);
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await Promise.all([accountA, accountB, azure, anthropic].map((mock) => mock?.close()));
    await redis?.stop();
  });

  it('runs an OpenAI batch uploaded on one replica from the other, on the account that holds its file, and charges its results once', async () => {
    const uploaded = await openAIClient(a, APP).files.create({
      file: await toFile(Buffer.from(inputFile('gpt-batch', 2)), 'input.jsonl'),
      purpose: 'batch',
    });
    expect(uploaded).toMatchObject({ object: 'file', purpose: 'batch', filename: 'input.jsonl' });
    expect(uploaded.id).toMatch(/^file-sy/);
    const holder = accountA.files.size > 0 ? accountA : accountB;
    const idle = holder === accountA ? accountB : accountA;
    expect(idle.files.size).toBe(0);
    // Neither the upstream's id nor the account shows in the caller's id.
    const [upstreamFile] = [...holder.files.values()];
    expect(uploaded.id).not.toContain(upstreamFile?.id ?? '?');
    // The line's model is the backend's, not the public name.
    expect(upstreamFile?.content).toContain('"model":"gpt-upstream"');

    expect((await openAIClient(b, APP).files.retrieve(uploaded.id)).id).toBe(uploaded.id);
    const listed = await openAIClient(b, APP).files.list();
    expect(listed.data.map((f) => f.id)).toContain(uploaded.id);

    const created = await openAIClient(b, APP).batches.create({
      input_file_id: uploaded.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(created).toMatchObject({ object: 'batch', status: 'in_progress', input_file_id: uploaded.id });
    expect(holder.batches.size).toBe(1);
    expect(idle.batches.size).toBe(0);

    holder.completeAll();
    const done = await openAIClient(a, APP).batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
    expect(done.output_file_id).toMatch(/^file-sy/);
    expect((await openAIClient(b, APP).batches.list()).data.map((batch) => batch.id)).toContain(created.id);

    const first = await openAIClient(b, APP).files.content(done.output_file_id ?? '');
    // Two lines of 10 prompt tokens at $1/M and 5 completion tokens at $2/M, at half price.
    expect(first.headers.get('x-switchyard-cost-usd')).toBe('0.00002');
    const lines = (await first.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { custom_id: string; response: { body: { model: string } } });
    expect(lines.map((line) => line.custom_id)).toEqual(['req-0', 'req-1']);
    expect(lines[0]?.response.body.model).toBe('gpt-batch');
    const again = await openAIClient(a, APP).files.content(done.output_file_id ?? '');
    expect(again.headers.get('x-switchyard-cost-usd')).toBe('0');

    const deleted = await openAIClient(a, APP).files.delete(uploaded.id);
    expect(deleted).toMatchObject({ id: uploaded.id, deleted: true });
    expect(holder.files.has(upstreamFile?.id ?? '')).toBe(false);
  });

  it('answers 404 to another key, to a made-up id and to a deleted file', async () => {
    const uploaded = await openAIClient(a, APP).files.create({
      file: await toFile(Buffer.from(inputFile('gpt-batch', 1)), 'mine.jsonl'),
      purpose: 'batch',
    });
    expect((await apiRefusal(openAIClient(b, OTHER).files.retrieve(uploaded.id))).status).toBe(404);
    expect((await apiRefusal(openAIClient(b, OTHER).files.content(uploaded.id))).status).toBe(404);
    expect(
      (
        await apiRefusal(
          openAIClient(a, OTHER).batches.create({ input_file_id: uploaded.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
        )
      ).status,
    ).toBe(404);
    expect((await apiRefusal(openAIClient(a, APP).files.retrieve(`${uploaded.id.slice(0, -4)}AAAA`))).status).toBe(404);
    expect((await openAIClient(a, OTHER).files.list()).data.map((f) => f.id)).not.toContain(uploaded.id);
  });

  it('refuses a file whose lines name two models, naming the line', async () => {
    const mixed = `${inputFile('gpt-batch', 1)}\n${inputFile('claude-batch', 1).replace('req-0', 'req-9')}`;
    const error = await apiRefusal(
      openAIClient(a, APP).files.create({ file: await toFile(Buffer.from(mixed), 'mixed.jsonl'), purpose: 'batch' }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('line 2');
  });

  it('reserves the estimate at submission: a Block budget that cannot hold it refuses the batch', async () => {
    const uploaded = await openAIClient(a, TIGHT).files.create({
      file: await toFile(Buffer.from(inputFile('gpt-batch', 2, 100_000)), 'big.jsonl'),
      purpose: 'batch',
    });
    const error = await apiRefusal(
      openAIClient(b, TIGHT).batches.create({ input_file_id: uploaded.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
    );
    expect(error.status).toBe(429);
    expect((error.error as { code?: string }).code).toBe('budget_exceeded');
  });

  it('runs an Azure OpenAI batch with the deployment in each line, its failed lines in the error file', async () => {
    const lines = `${inputFile('azure-batch', 1)}\n${inputFile('azure-batch', 1).replace('req-0', 'fail-1')}`;
    const uploaded = await openAIClient(a, APP).files.create({
      file: await toFile(Buffer.from(lines), 'az.jsonl'),
      purpose: 'batch',
    });
    expect([...azure.files.values()][0]?.content).toContain('"model":"batch-deployment"');
    const created = await openAIClient(b, APP).batches.create({
      input_file_id: uploaded.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    azure.completeAll();
    const done = await openAIClient(a, APP).batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    const output = await openAIClient(b, APP).files.content(done.output_file_id ?? '');
    // One answered line of 10 + 5 tokens at half price; the failed one costs nothing.
    expect(output.headers.get('x-switchyard-cost-usd')).toBe('0.00001');
    expect(await output.text()).toContain('answer to req-0');
    expect(done.error_file_id).toMatch(/^file-sy/);
    expect(done.error_file_id).not.toBe(done.output_file_id);
    const failed = await openAIClient(b, APP).files.content(done.error_file_id ?? '');
    expect(await failed.text()).toContain('"custom_id":"fail-1"');
    expect((await apiRefusal(openAIClient(b, OTHER).files.content(done.error_file_id ?? ''))).status).toBe(404);
  });

  it('maps an Anthropic Message Batch: chat lines in, OpenAI output lines out, and cancel', async () => {
    const uploaded = await openAIClient(a, APP).files.create({
      file: await toFile(Buffer.from(inputFile('claude-batch', 2)), 'claude.jsonl'),
      purpose: 'batch',
    });
    expect(await (await openAIClient(b, APP).files.content(uploaded.id)).text()).toContain('question 1');
    const created = await openAIClient(b, APP).batches.create({
      input_file_id: uploaded.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(created.status).toBe('in_progress');
    const [sent] = [...anthropic.batches.values()];
    expect(sent?.requests?.map((r) => r.custom_id)).toEqual(['req-0', 'req-1']);
    expect(sent?.requests?.[0]?.params).toMatchObject({ model: 'claude-upstream', max_tokens: 100, messages: [{ role: 'user' }] });
    anthropic.completeAll();
    const done = await openAIClient(a, APP).batches.retrieve(created.id);
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } });
    const output = await openAIClient(a, APP).files.content(done.output_file_id ?? '');
    expect(output.headers.get('x-switchyard-cost-usd')).toBe('0.00002');
    const lines = (await output.text())
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            custom_id: string;
            response: {
              status_code: number;
              body: { object: string; model: string; choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number } };
            };
          },
      );
    expect(lines[1]).toMatchObject({
      custom_id: 'req-1',
      response: { status_code: 200, body: { object: 'chat.completion', model: 'claude-batch', usage: { prompt_tokens: 10 } } },
    });
    expect(lines[1]?.response.body.choices[0]?.message.content).toBe('answer to req-1');

    const second = await openAIClient(a, APP).files.create({
      file: await toFile(Buffer.from(inputFile('claude-batch', 1)), 'c2.jsonl'),
      purpose: 'batch',
    });
    const pending = await openAIClient(b, APP).batches.create({
      input_file_id: second.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect((await openAIClient(a, APP).batches.cancel(pending.id)).status).toBe('cancelling');
  });
});
