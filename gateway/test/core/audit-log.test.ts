// The request audit log through the gateway process: one record per request on every kind of
// endpoint (with identity, key, route, backend, model, tokens, cost, status, latency, cache and
// guardrail outcome, and never prompt text or keys), none lost on SIGTERM with requests in
// flight, a sink that cannot keep up losing records only beyond --audit-buffer (counted, never
// slowing requests), and the same records as OTLP logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { API_VERSION, documents, HELLO, keyObjects, mockBackend, openAIClient, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('auditcaller');
const SECRET_PROMPT = 'the launch code is swordfish';

interface Record_ {
  [field: string]: unknown;
}

function manifests(latency = '0ms'): Record<string, string> {
  const cached = routeObject({ name: 'cached', backends: [mockBackend('cached-backend', { response: 'cached answer' })] }) as {
    spec: Record<string, unknown>;
  };
  cached.spec.cache = { ttl: '5m' };
  return {
    'all.yaml': documents(
      ...keyObjects({ name: 'caller', key, labels: { team: 'audit' } }),
      routeObject({
        name: 'chat',
        backends: [
          { ...mockBackend('chat-backend', { response: 'an answer', latency }), pricing: { inputPerMillion: '1', outputPerMillion: '2' } },
        ],
      }),
      cached,
      {
        apiVersion: API_VERSION,
        kind: 'GuardrailPolicy',
        metadata: { name: 'no-codes' },
        spec: {
          selector: { matchLabels: { team: 'audit' } },
          checks: [{ name: 'codes', type: 'denylist', phrases: ['launch code'], on: 'input', action: 'block' }],
        },
      },
    ),
  };
}

async function readRecords(path: string): Promise<Record_[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record_);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exitOf(gateway: GatewayProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (gateway.process.exitCode !== null) resolve(gateway.process.exitCode);
    else gateway.process.once('exit', (code) => resolve(code));
  });
}

async function metric(gateway: GatewayProcess, line: RegExp): Promise<number> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  const match = text.match(line);
  return match ? Number(match[1]) : Number.NaN;
}

describe('request audit log', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-audit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one record per request on every endpoint, with the outcome and never the prompt or the key', async () => {
    const path = join(dir, 'records.jsonl');
    const gateway = await startGateway({ manifests: manifests(), args: ['--audit-log', path] });
    try {
      const client = openAIClient(gateway, key);
      const answered = await client.chat.completions.create({ model: 'chat', messages: HELLO }).withResponse();
      const requestId = answered.response.headers.get('x-request-id');
      await client.chat.completions.create({ model: 'cached', messages: HELLO });
      await client.chat.completions.create({ model: 'cached', messages: HELLO });
      const blocked = await postJson(gateway, '/v1/chat/completions', key, {
        model: 'chat',
        messages: [{ role: 'user', content: SECRET_PROMPT }],
      });
      expect(blocked.status).toBe(400);
      const badKey = await postJson(gateway, '/v1/chat/completions', 'sk-sy-not-a-key-at-all-0000000000000000', {
        model: 'chat',
        messages: HELLO,
      });
      expect(badKey.status).toBe(401);
      await client.models.list();
      const sent = 6;
      const records = await until('six records', async () => {
        const found = await readRecords(path);
        return found.length >= sent ? found : undefined;
      });
      expect(records).toHaveLength(sent);

      const chat = records.find((r) => r.requestId === requestId) as Record_;
      expect(chat).toMatchObject({
        operation: 'chat',
        method: 'POST',
        path: '/v1/chat/completions',
        identity: { kind: 'VirtualKey', name: 'default/caller' },
        key: 'default/caller',
        model: 'chat',
        route: 'default/chat',
        backend: 'chat-backend',
        status: 200,
        stream: false,
        attempts: 1,
      });
      expect(typeof chat.time).toBe('string');
      expect(chat.latencyMs).toEqual(expect.any(Number));
      expect(chat.inputTokens).toEqual(expect.any(Number));
      expect(chat.outputTokens).toEqual(expect.any(Number));
      expect(chat.costUsd).toEqual(expect.stringMatching(/^\d+\.\d+$/));

      const cacheOutcomes = records.filter((r) => r.route === 'default/cached').map((r) => r.cache);
      expect(cacheOutcomes).toEqual(['miss', 'hit']);
      const guarded = records.find((r) => r.status === 400) as Record_;
      expect(guarded.guardrails).toEqual([
        expect.objectContaining({ policy: 'default/no-codes', check: 'codes', action: 'block', on: 'input' }),
      ]);
      const refused = records.find((r) => r.status === 401) as Record_;
      expect(refused.key).toBeUndefined();
      expect(refused.error).toEqual(expect.any(String));
      expect(records.find((r) => r.operation === 'list-models')).toMatchObject({ status: 200, key: 'default/caller' });

      const text = await readFile(path, 'utf8');
      expect(text).not.toContain('swordfish');
      expect(text).not.toContain(key);
      expect(text).not.toContain('hello');
    } finally {
      await gateway.stop();
    }
  });

  it('adds the redacted prompt and answer text only on a route with spec.audit.includeContent', async () => {
    const path = join(dir, 'content.jsonl');
    const recorded = routeObject({ name: 'recorded', backends: [mockBackend('recorded-backend', { response: 'the answer is 42' })] }) as {
      spec: Record<string, unknown>;
    };
    recorded.spec.audit = { includeContent: true };
    const plain = routeObject({ name: 'plain', backends: [mockBackend('plain-backend', { response: 'unrecorded answer' })] });
    const gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'caller', key }), recorded, plain) },
      args: ['--audit-log', path],
    });
    try {
      const client = openAIClient(gateway, key);
      const credential = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
      await client.chat.completions.create({
        model: 'recorded',
        messages: [{ role: 'user', content: `my key is ${credential}, what is 6 x 7?` }],
      });
      let streamed = '';
      const stream = await client.chat.completions.create({
        model: 'recorded',
        messages: [{ role: 'user', content: 'stream it' }],
        stream: true,
      });
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe('the answer is 42');
      await client.chat.completions.create({ model: 'plain', messages: [{ role: 'user', content: 'keep this out' }] });
      const records = await until('three records', async () => {
        const found = await readRecords(path);
        return found.length >= 3 ? found : undefined;
      });
      const [whole, streamedRecord, unrecorded] = [
        records.find((r) => r.route === 'default/recorded' && r.stream === false),
        records.find((r) => r.route === 'default/recorded' && r.stream === true),
        records.find((r) => r.route === 'default/plain'),
      ];
      expect(whole?.content).toEqual({ prompt: 'user: my key is [REDACTED], what is 6 x 7?', answer: 'the answer is 42' });
      expect(streamedRecord?.content).toEqual({ prompt: 'user: stream it', answer: 'the answer is 42' });
      expect(unrecorded).toBeDefined();
      expect(unrecorded?.content).toBeUndefined();
      const text = await readFile(path, 'utf8');
      expect(text).not.toContain(credential);
      expect(text).not.toContain('keep this out');
    } finally {
      await gateway.stop();
    }
  });

  it('loses no record on SIGTERM with requests in flight, in the file and at a slow collector', async () => {
    const path = join(dir, 'shutdown.jsonl');
    // A collector that takes its time: records are still queued for it when the drain ends.
    const collector: MockHttpServer = await startMockHttpServer(async (_request, res) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    const gateway = await startGateway({
      manifests: manifests('700ms'),
      args: ['--audit-log', path, '--audit-otlp'],
      env: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${collector.url}/custom/logs` },
    });
    const exited = exitOf(gateway);
    const client = openAIClient(gateway, key);
    const total = 40;
    const pending = Array.from({ length: total }, (_, i) =>
      i % 2 === 0
        ? client.chat.completions.create({ model: 'chat', messages: HELLO }).then(() => 'ok')
        : client.chat.completions.create({ model: 'chat', messages: HELLO, stream: true }).then(async (stream) => {
            for await (const _chunk of stream) {
              // read to the end
            }
            return 'ok';
          }),
    );
    await until('every request in flight', async () =>
      (await metric(gateway, /^switchyard_requests_in_flight (\d+)$/m)) === total ? true : undefined,
    );
    gateway.process.kill('SIGTERM');
    expect(await Promise.all(pending)).toEqual(Array(total).fill('ok'));
    expect(await exited).toBe(0);
    const records = await readRecords(path);
    expect(records).toHaveLength(total);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(total);
    expect(records.every((r) => r.status === 200)).toBe(true);
    const exported = collector.requests
      .filter((r) => r.url === '/custom/logs')
      .flatMap(
        (r) =>
          (r.json as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> }).resourceLogs[0]?.scopeLogs[0]?.logRecords ??
          [],
      );
    expect(exported).toHaveLength(total);
    await gateway.stop();
    await collector.close();
  });

  it('drops records beyond --audit-buffer when the sink is blocked, counts them, and keeps answering', async () => {
    const fifo = join(dir, 'blocked.fifo');
    execFileSync('sh', ['-c', 'mkfifo "$1"', 'mkfifo', fifo]);
    // A reader that holds the pipe open and never reads: the pipe fills and writes block.
    const reader: ChildProcess = spawn('sh', ['-c', 'exec 3<>"$1"; sleep 120', 'reader', fifo], { stdio: 'ignore' });
    const gateway = await startGateway({
      manifests: manifests(),
      args: ['--audit-log', fifo, '--audit-buffer', '20', '--audit-flush-timeout', '1s'],
    });
    try {
      const client = openAIClient(gateway, key);
      // Large enough records fill the pipe's buffer (64 KiB on Linux) well before 1 500 requests.
      const total = 1_500;
      const started = Date.now();
      for (let i = 0; i < total; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () => client.chat.completions.create({ model: 'chat', messages: HELLO })));
      }
      const elapsedMs = Date.now() - started;
      const dropped = await metric(gateway, /^switchyard_audit_records_dropped_total\{sink="file"\} (\d+)$/m);
      const accepted = await metric(gateway, /^switchyard_audit_records_total\{sink="file"\} (\d+)$/m);
      expect(dropped).toBeGreaterThan(0);
      expect(dropped + accepted).toBe(total);
      // Generous: requests never waited for the sink (1 500 mock answers take well under a second each batch).
      expect(elapsedMs).toBeLessThan(60_000);
      const exited = exitOf(gateway);
      gateway.process.kill('SIGTERM');
      // The flush gives up after --audit-flush-timeout: a blocked sink cannot hold the exit.
      expect(await exited).toBe(0);
      expect(gateway.logs()).toContain('audit records lost at shutdown');
    } finally {
      reader.kill('SIGKILL');
      await gateway.stop();
    }
  });

  it('exports the same records as OTLP logs (JSON) to the OTLP endpoint', async () => {
    const collector: MockHttpServer = await startMockHttpServer((_request, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    const gateway = await startGateway({
      manifests: manifests(),
      args: ['--audit-otlp'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=abc%20def' },
    });
    try {
      const client = openAIClient(gateway, key);
      const { response } = await client.chat.completions.create({ model: 'chat', messages: HELLO }).withResponse();
      const exited = exitOf(gateway);
      gateway.process.kill('SIGTERM');
      expect(await exited).toBe(0);
      const exports = collector.requests.filter((r) => r.url === '/v1/logs');
      expect(exports.length).toBeGreaterThan(0);
      expect(exports[0]?.headers['x-collector-token']).toBe('abc def');
      expect(exports[0]?.headers['content-type']).toBe('application/json');
      type LogRecord = { attributes: Array<{ key: string; value: Record<string, unknown> }>; timeUnixNano: string };
      const logRecords = exports.flatMap(
        (r) =>
          (r.json as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: LogRecord[] }> }> }).resourceLogs[0]?.scopeLogs[0]
            ?.logRecords ?? [],
      );
      const attributes = (record: LogRecord): Record<string, unknown> =>
        Object.fromEntries(record.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
      const chat = logRecords.map(attributes).find((a) => a.requestId === response.headers.get('x-request-id'));
      expect(chat).toMatchObject({
        operation: 'chat',
        key: 'default/caller',
        route: 'default/chat',
        backend: 'chat-backend',
        status: '200',
      });
      expect(logRecords[0]?.timeUnixNano).toMatch(/^\d{19}$/);
    } finally {
      await gateway.stop();
      await collector.close();
    }
  });
});
