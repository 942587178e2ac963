// The pipeline's hook points, exercised through the real gateway: a toy input check, a toy
// whole-answer check and a toy stream transformer, registered test-only through
// PipelineDeps.extraStages, run on every operation they apply to (chat, streams, embeddings,
// count-tokens, model lists) and can refuse a request or an answer in the caller's format.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { GatewayMetrics } from '../../src/observe/metrics.js';
import { createLogger } from '@switchyard/compiler';
import { admitWithoutLimits } from '../../src/governance/admission-control.js';
import type { ExtraStages, StreamTransformer } from '../../src/pipeline/stages.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { startGatewayServer, type RunningGateway } from '../../src/server/gateway-server.js';
import { TableHolder } from '../../src/table/table-holder.js';
import { createEgressGuard } from '../../src/transport/egress-guard.js';
import { UpstreamTransport } from '../../src/transport/upstream-transport.js';
import { compiledBackend, compiledKey, compiledRoute, routingTable } from './table-fixtures.js';

const key = 'sk-sy-hookpoints0123456789abcdefghijklmnop';
/** Which toy stage should refuse this request: `input`, `output` or `stream`. */
const REFUSE = 'x-toy-refuse';

const seen: { input: string[]; output: string[]; stream: string[] } = { input: [], output: [], stream: [] };

function refuses(headers: Record<string, string | string[] | undefined>, stage: string): boolean {
  return headers[REFUSE] === stage;
}

const toyStages: ExtraStages = {
  inputChecks: [
    (checked, exchange) => {
      seen.input.push(`${checked.operation} ${checked.request.model}`);
      if (refuses(exchange.req.headers, 'input'))
        throw new GatewayError('invalid_request', 'the toy input check refused this request', { code: 'toy_input' });
    },
  ],
  outputChecks: [
    async (answer, exchange) => {
      // Asynchronous on purpose: a check may wait (a moderation call) before the answer is sent.
      await Promise.resolve();
      seen.output.push(
        answer.operation === 'list-models' || answer.operation === 'get-model'
          ? `${answer.operation} ${answer.models.models.length}`
          : answer.operation,
      );
      if (refuses(exchange.req.headers, 'output'))
        throw new GatewayError('permission', 'the toy output check refused this answer', { code: 'toy_output' });
    },
  ],
  streamStages: [
    (exchange): StreamTransformer => ({
      transform(events, current) {
        seen.stream.push(`${events.length} events`);
        if (refuses(current.req.headers, 'stream'))
          throw new GatewayError('permission', 'the toy stream transformer refused this stream', { code: 'toy_stream' });
        return events.map((event) => (event.type === 'text_delta' ? { ...event, text: event.text.toUpperCase() } : event));
      },
      end() {
        seen.stream.push(`end ${exchange.requestId}`);
        return [{ type: 'text_delta', text: ' [checked]' }];
      },
    }),
  ],
};

describe('pipeline hook points', () => {
  const tables = new TableHolder(createProviderRegistry());
  const transport = new UpstreamTransport({ egressGuard: createEgressGuard([]) });
  let gateway: RunningGateway;
  const url = (path: string): string => `http://127.0.0.1:${gateway.port}${path}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(path), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const get = (path: string) => fetch(url(path), { headers: { authorization: `Bearer ${key}` } });
  const chatBody = { model: 'toy', messages: [{ role: 'user', content: 'hello' }] };

  beforeAll(async () => {
    tables.load(routingTable([compiledRoute('toy', [compiledBackend('m')])], [compiledKey('k', key)]));
    gateway = await startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      deps: {
        tables,
        transport,
        metrics: new GatewayMetrics({ defaultMetrics: false }),
        logger: createLogger({ write: () => undefined }),
        admission: admitWithoutLimits,
        maxBodyBytes: 1 << 20,
        random: Math.random,
        extraStages: toyStages,
      },
    });
  });
  afterAll(async () => {
    await gateway?.close(100);
    await transport.close();
  });
  beforeEach(() => {
    seen.input.length = 0;
    seen.output.length = 0;
    seen.stream.length = 0;
  });

  it('chat: the input check sees the decoded request and the output check the whole answer', async () => {
    const response = await post('/v1/chat/completions', chatBody);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      'Mock reply to: hello',
    );
    expect(seen).toEqual({ input: ['chat toy'], output: ['chat'], stream: [] });
  });

  it('streams pass the transformer chain: events transformed, closing events added; no whole-answer check', async () => {
    const response = await post('/v1/chat/completions', { ...chatBody, stream: true });
    expect(response.status).toBe(200);
    const text = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('MOCK REPLY TO: HELLO [checked]');
    expect(seen.input).toEqual(['chat toy']);
    expect(seen.output).toEqual([]);
    expect(seen.stream.length).toBeGreaterThan(1);
    expect(seen.stream[seen.stream.length - 1]).toMatch(/^end /);
  });

  it('streams in other formats pass the same chain (Anthropic)', async () => {
    const response = await post('/anthropic/v1/messages', {
      model: 'toy',
      max_tokens: 50,
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(response.status).toBe(200);
    const text = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: { text?: string } })
      .map((event) => (event.type === 'content_block_delta' ? (event.delta?.text ?? '') : ''))
      .join('');
    expect(text).toBe('MOCK REPLY TO: HELLO [checked]');
  });

  it('embeddings run both checks', async () => {
    const response = await post('/v1/embeddings', { model: 'toy', input: 'hello', dimensions: 8 });
    expect(response.status).toBe(200);
    expect(seen).toEqual({ input: ['embeddings toy'], output: ['embeddings'], stream: [] });
  });

  it('count-tokens runs both checks (Anthropic and Gemini)', async () => {
    expect(
      (await post('/anthropic/v1/messages/count_tokens', { model: 'toy', messages: [{ role: 'user', content: 'hello' }] })).status,
    ).toBe(200);
    expect((await post('/genai/v1beta/models/toy:countTokens', { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] })).status).toBe(
      200,
    );
    expect(seen).toEqual({ input: ['count-tokens toy', 'count-tokens toy'], output: ['count-tokens', 'count-tokens'], stream: [] });
  });

  it('model lists run the whole-answer check (they have no request to check)', async () => {
    for (const path of ['/v1/models', '/v1/models/toy', '/anthropic/v1/models', '/genai/v1beta/models', '/genai/v1beta/models/toy'])
      expect((await get(path)).status).toBe(200);
    expect(seen).toEqual({
      input: [],
      output: ['list-models 1', 'get-model 1', 'list-models 1', 'list-models 1', 'get-model 1'],
      stream: [],
    });
  });

  it('an input check refuses before any upstream call, in the caller format', async () => {
    const response = await post('/v1/chat/completions', chatBody, { [REFUSE]: 'input' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-switchyard-attempts')).toBeNull();
    expect(await response.json()).toMatchObject({ error: { code: 'toy_input', message: 'the toy input check refused this request' } });
    const anthropic = await post(
      '/anthropic/v1/messages/count_tokens',
      { model: 'toy', messages: [{ role: 'user', content: 'hello' }] },
      { [REFUSE]: 'input' },
    );
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'the toy input check refused this request' },
    });
  });

  it('an output check refuses a whole answer after the call', async () => {
    const response = await post('/v1/embeddings', { model: 'toy', input: 'hello', dimensions: 8 }, { [REFUSE]: 'output' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(await response.json()).toMatchObject({ error: { code: 'toy_output' } });
  });

  it('a stream transformer refuses a stream in-band with the front door error event', async () => {
    const response = await post('/v1/chat/completions', { ...chatBody, stream: true }, { [REFUSE]: 'stream' });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('the toy stream transformer refused this stream');
    expect(body).not.toContain('MOCK');
  });
});
