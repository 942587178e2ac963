// A stream the gateway cuts at the end of its shutdown grace is the gateway's doing, not the
// caller's: it is logged with status 503 and cut "shutdown" (not 499), and the budget is charged
// for what was streamed (the prompt estimate and the output counted so far), never the whole
// max-token reservation, even though the upstream's usage never arrived.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import {
  budgetObject,
  documents,
  governedKey,
  logRecords,
  openAIBackend,
  openAIClient,
  routeObject,
  scratchDir,
  secretObject,
  testKey,
} from './governance-fixtures.js';

const key = testKey('shutdowncut');
const MAX_TOKENS = 100_000;
/** $10 per million tokens, input and output: one token costs 10,000 nano-dollars. */
const NANOS_PER_TOKEN = 10_000;

describe('a stream cut at shutdown', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let stateFile: string;

  beforeAll(async () => {
    dir = await scratchDir();
    stateFile = join(dir.path, 'spend.json');
    // A slow endless stream: one short delta every 50 ms, and never a usage chunk.
    upstream = await startMockHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let written = 0;
      const timer = setInterval(() => {
        const chunk = {
          id: 'c1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: { content: `word${written} ` }, finish_reason: null }],
        };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        written += 1;
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...governedKey({ name: 'cut', key, labels: { team: 'cut' } }),
          budgetObject({ name: 'cut-total', matchLabels: { team: 'cut' }, limit: '100', period: 'Total' }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'endless',
            backends: [{ ...openAIBackend('endless-upstream', upstream.url), pricing: { inputPerMillion: '10', outputPerMillion: '10' } }],
          }),
        ),
      },
      args: ['--state-file', stateFile, '--shutdown-grace', '1s'],
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await dir?.remove();
  });

  it('is logged as the gateway cut and charged about what was streamed', async () => {
    const exited = new Promise<number | null>((resolveExit) => gateway.process.once('exit', (code) => resolveExit(code)));
    const stream = await openAIClient(gateway, key).chat.completions.create({
      model: 'endless',
      messages: [{ role: 'user', content: 'count for me' }],
      stream: true,
      max_tokens: MAX_TOKENS,
    });
    let deltas = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) deltas += 1;
        // SIGTERM mid-stream; the 1 s grace runs out while the upstream keeps streaming.
        if (deltas === 5) gateway.process.kill('SIGTERM');
      }
    } catch {
      // the connection is cut: the SDK throws or just ends, depending on timing
    }
    expect(await exited).toBe(0);
    expect(deltas).toBeGreaterThan(5);

    const line = logRecords(gateway).find((r) => r.msg === 'request' && r.model === 'endless');
    expect(line).toMatchObject({ status: 503, cut: 'shutdown', usageEstimated: true });
    // The gateway counted every delta it sent; the client read nearly all of them before the cut.
    const outputTokens = line?.outputTokens as number;
    expect(outputTokens).toBeGreaterThanOrEqual(deltas);
    expect(outputTokens).toBeLessThan(deltas + 20);

    const document = JSON.parse(await readFile(stateFile, 'utf8')) as { budgets: Array<{ budgetId: string; spentNanos: string }> };
    const spent = Number(document.budgets.find((b) => b.budgetId === 'default/cut-total')?.spentNanos);
    const charged = ((line?.inputTokens as number) + outputTokens) * NANOS_PER_TOKEN;
    expect(spent).toBe(charged);
    // The reservation was over MAX_TOKENS output tokens; the charge is a tiny fraction of it.
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan((MAX_TOKENS * NANOS_PER_TOKEN) / 100);
  });
});
