// A scripted HTTP stand-in for the API server, for the failure modes a real one will not
// produce on demand (410 Gone, a silent watch, a 500 mid-watch). Each request takes the next
// step of the script; every request is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/kube-client.js';

export type Step = (req: IncomingMessage, res: ServerResponse) => void;

export interface ScriptedApi {
  client: KubeClient;
  requests: string[];
  /** Resolves when the script's n-th request (1-based) arrived. */
  nthRequest(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startScriptedApi(steps: Step[]): Promise<ScriptedApi> {
  const requests: string[] = [];
  const open = new Set<ServerResponse>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    for (const waiter of [...waiters]) if (requests.length >= waiter.n) waiter.resolve();
    open.add(res);
    res.on('close', () => open.delete(res));
    const step = steps.shift();
    if (!step) {
      res.writeHead(500).end('{"kind":"Status","code":500,"message":"script exhausted"}');
      return;
    }
    step(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'scripted', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'scripted-token' }],
    contexts: [{ name: 'scripted', cluster: 'scripted', user: 'tester' }],
    currentContext: 'scripted',
  });
  return {
    client: new KubeClient({ kubeConfig, requestTimeoutMs: 2_000 }),
    requests,
    nthRequest(n, timeoutMs = 5_000) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`request ${n} did not arrive; got ${requests.join(', ')}`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(body: unknown, status = 200): Step {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}

/** A watch response: writes the events, then ends the response or holds it open. */
export function watchEvents(events: unknown[], then: 'end' | 'hold' = 'hold'): Step {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (const event of events) res.write(`${JSON.stringify(event)}\n`);
    if (then === 'end') res.end();
  };
}
