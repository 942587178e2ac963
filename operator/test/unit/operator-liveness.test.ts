// Liveness while the operator's main thread is busy. A first compile at 100,000 keys is one
// synchronous task of tens of seconds; a /healthz answered on that thread times out and the
// kubelet restarts the operator in a loop. The real operator process runs here (its API server
// unreachable: the health port does not need one), with the inspector on a loopback port; a
// Runtime.evaluate there runs a busy loop on the operator's main thread, as a compile would.
// /healthz must keep answering 200 while the stall is shorter than --liveness-max-stall, then
// 503 naming the limit, and 200 again once the loop runs; /readyz stays on the main thread.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSwitchyard, type LoggedProcess } from '../support/child-process.js';
import { findFreePorts } from '../support/free-ports.js';
import { delay, waitFor } from '../support/wait-for.js';

const MAX_STALL_SECONDS = 3;
const BLOCK_MS = 15_000;

/** Evaluates `expression` in the operator's main thread through the inspector; resolves when it returns. */
async function evaluateInOperator(inspectorPort: number, expression: string): Promise<void> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket((targets[0] as { webSocketDebuggerUrl: string }).webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  try {
    await new Promise<void>((resolve) => {
      socket.addEventListener('message', (event) => {
        if ((JSON.parse(String(event.data)) as { id?: number }).id === 1) resolve();
      });
      socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression } }));
    });
  } finally {
    socket.close();
  }
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('operator liveness during a long synchronous task', () => {
  let operator: LoggedProcess;
  let healthUrl: string;
  let inspectorPort: number;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-liveness-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // Port 1 refuses connections: the watches retry in the background, the health port is up.
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    const [port] = (await findFreePorts(1)) as [number];
    inspectorPort = port;
    operator = startSwitchyard(
      [
        'operator',
        '--kubeconfig',
        kubeconfig,
        '--listen',
        '127.0.0.1:0',
        '--health-port',
        '0',
        '--replica-id',
        'liveness-test',
        '--leader-election-namespace',
        'default',
        '--liveness-max-stall',
        `${MAX_STALL_SECONDS}s`,
      ],
      { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}` },
    );
    const started = await operator.waitForRecord((r) => r.msg === 'operator started');
    healthUrl = `http://127.0.0.1:${String(started.healthPort)}`;
  }, 60_000);

  afterAll(async () => {
    await operator?.kill();
  });

  it('answers /healthz from its own thread: 200 within the limit, 503 past it, 200 once the loop runs again', async () => {
    expect((await get(`${healthUrl}/healthz`, 5_000)).status).toBe(200);
    // Answered by the main thread: 503 (the watches cannot list), but an answer.
    expect((await get(`${healthUrl}/readyz`, 5_000)).status).toBe(503);

    const blocked = evaluateInOperator(inspectorPort, `{ const end = Date.now() + ${BLOCK_MS}; while (Date.now() < end); }`);
    // The busy loop has started once /readyz (main thread) stops answering.
    await waitFor(
      'the main thread to be busy',
      async () => {
        try {
          await get(`${healthUrl}/readyz`, 500);
          return false;
        } catch {
          return true;
        }
      },
      10_000,
      50,
    );
    // Blocked for well under the limit: alive, answered at once.
    const during = await get(`${healthUrl}/healthz`, 1_000);
    expect(during.status).toBe(200);

    // Requests for the main thread wait for it, up to a bound; past it they are refused at once.
    const waiting = Array.from({ length: 256 }, () => get(`${healthUrl}/readyz`, 30_000).catch((error: unknown) => error));
    const refused = await waitFor(
      'a /readyz refused because too many wait',
      async () => {
        try {
          const answer = await get(`${healthUrl}/readyz`, 500);
          return answer.status === 503 ? answer : false;
        } catch {
          return false;
        }
      },
      5_000,
      50,
    );
    expect(String(refused.body.error)).toContain('256 requests are already waiting');

    // Past the limit, still blocked: 503, naming the limit.
    const stalled = await waitFor(
      'a 503 from /healthz',
      async () => {
        const answer = await get(`${healthUrl}/healthz`, 1_000);
        return answer.status === 503 ? answer : false;
      },
      BLOCK_MS,
      250,
    );
    expect(stalled.body).toMatchObject({ status: 'event loop stalled', limit: '--liveness-max-stall', limitSeconds: MAX_STALL_SECONDS });
    expect(stalled.body.stalledSeconds as number).toBeGreaterThanOrEqual(MAX_STALL_SECONDS);

    await blocked;
    // The waiting ones are answered once the main thread runs again.
    for (const answer of await Promise.all(waiting)) expect(answer).toMatchObject({ status: 503 });
    await waitFor('/healthz back to 200', async () => (await get(`${healthUrl}/healthz`, 1_000)).status === 200, 10_000, 100);
    await delay(0);
  }, 60_000);
});
