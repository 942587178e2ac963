// The table stream end to end in one process: the operator's TableStreamServer and the
// gateway's control-plane client (loaded from the gateway build), speaking real HTTP.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { routingTableJson, type RoutingTable } from '@switchyard/compiler';
import type * as ClientModule from '../../../gateway/dist/src/control-plane/control-plane-client.js';
import type { AuthVerdict } from '../../src/auth/token-review-authenticator.js';
import { createLogger, silentLogger, type Logger } from '../../src/observe/logger.js';
import { TableStreamServer } from '../../src/table-server/table-stream-server.js';
import { repoRoot } from '../support/repo-paths.js';
import { waitFor } from '../support/wait-for.js';

const { connectToControlPlane } = (await import(
  pathToFileURL(join(repoRoot, 'gateway/dist/src/control-plane/control-plane-client.js')).href
)) as typeof ClientModule;

function table(version: number, hash: string, model = 'm'): RoutingTable {
  return {
    version,
    hash,
    compiledAt: new Date(0).toISOString(),
    routes: {},
    modelsByNamespace: { default: { [model]: 'default/r' } },
    keys: [],
    budgets: [],
  };
}
const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

interface Operator {
  server: Server;
  stream: TableStreamServer;
  port: number;
  tokensSeen: string[];
  close(): Promise<void>;
}

async function startOperatorStream(port = 0, allowed = new Set(['good-1', 'good-2'])): Promise<Operator> {
  const tokensSeen: string[] = [];
  const authenticate = async (header: string | undefined): Promise<AuthVerdict> => {
    const token = header?.replace(/^Bearer /, '') ?? '';
    tokensSeen.push(token);
    return allowed.has(token)
      ? { ok: true, serviceAccount: 'ai/gateway', username: 'system:serviceaccount:ai:gateway' }
      : { ok: false, status: 401, reason: 'bad token' };
  };
  const stream = new TableStreamServer({ authenticate, replicaId: 'test', logger: silentLogger, keepaliveIntervalMs: 50 });
  const server = createServer((req, res) => {
    if (!stream.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    stream,
    port: (server.address() as AddressInfo).port,
    tokensSeen,
    async close() {
      stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('table stream: operator server and gateway client', () => {
  let dir: string;
  let tokenFile: string;
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-stream-'));
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'good-1\n');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  function connect(
    operatorPort: number,
    applied: RoutingTable[],
    options: { reject?: boolean; inactivityTimeoutMs?: number; logger?: Logger } = {},
  ) {
    const connection = connectToControlPlane({
      url: `http://127.0.0.1:${operatorPort}`,
      tokenFile,
      gatewayId: 'gw-test',
      logger: options.logger ?? silentLogger,
      backoffInitialMs: 20,
      backoffMaxMs: 100,
      ...(options.inactivityTimeoutMs ? { inactivityTimeoutMs: options.inactivityTimeoutMs } : {}),
      currentHash: () => applied.at(-1)?.hash,
      onTable(next) {
        if (options.reject) throw new Error('provider "nope" has no adapter');
        applied.push(next);
      },
    });
    cleanups.push(() => connection.close());
    return connection;
  }

  it('delivers the current table on connect and every new one, each acknowledged', async () => {
    const op = await startOperatorStream();
    cleanups.push(() => op.close());
    const published = op.stream.publish(table(1, H1));
    const applied: RoutingTable[] = [];
    const connection = connect(op.port, applied);
    await connection.firstTable();
    expect(published.encoded?.gzipBytes).toBeGreaterThan(0);
    expect(applied[0]).toEqual(table(1, H1));
    await waitFor('ack of version 1', () => op.stream.snapshot().hashes.includes(H1));
    expect(op.stream.snapshot()).toEqual({ gateways: 1, pending: 0, hashes: [H1] });
    expect(op.stream.sessionList()[0]).toMatchObject({ gatewayId: 'gw-test', serviceAccount: 'ai/gateway', ackedVersion: 1 });

    op.stream.publish(table(2, H2, 'other'));
    await waitFor('version 2 applied and acknowledged', () => applied.length === 2 && op.stream.snapshot().hashes[0] === H2);
    expect(connection.status()).toMatchObject({ connected: true, appliedVersion: 2, appliedHash: H2, tablesApplied: 2 });
  });

  it('serializes a table only when a gateway needs it whole, as routingTableJson writes it', async () => {
    const op = await startOperatorStream();
    cleanups.push(() => op.close());
    const compiled = table(1, H1);
    const published = op.stream.publish(compiled);
    expect(published.encoded).toBeUndefined();
    const applied: RoutingTable[] = [];
    await connect(op.port, applied).firstTable();
    expect(published.encoded?.jsonBytes).toBe(Buffer.byteLength(routingTableJson(compiled)));
    expect(applied[0]).toEqual(compiled);
  });

  it('serializes a table once for every gateway', async () => {
    const op = await startOperatorStream();
    cleanups.push(() => op.close());
    const published = op.stream.publish(table(1, H1));
    const tablesA: RoutingTable[] = [];
    const tablesB: RoutingTable[] = [];
    await Promise.all([connect(op.port, tablesA).firstTable(), connect(op.port, tablesB).firstTable()]);
    expect(op.stream.latest?.frame).toBe(published.frame);
    expect(tablesA).toEqual(tablesB);
  });

  it('acknowledges a table it could not load as not applied, and keeps the last one', async () => {
    const op = await startOperatorStream();
    cleanups.push(() => op.close());
    op.stream.publish(table(1, H1));
    const applied: RoutingTable[] = [];
    connect(op.port, applied, { reject: true });
    await waitFor('failure reported', () => op.stream.sessionList()[0]?.lastError?.includes('no adapter'));
    expect(op.stream.snapshot()).toEqual({ gateways: 1, pending: 1, hashes: [] });
    expect(applied).toEqual([]);
  });

  it('keeps its table while the operator is away, then reconnects with the rotated token', async () => {
    const op = await startOperatorStream();
    op.stream.publish(table(1, H1));
    const applied: RoutingTable[] = [];
    const connection = connect(op.port, applied);
    await connection.firstTable();
    const port = op.port;
    await op.close();
    await waitFor('disconnected', () => !connection.status().connected);
    expect(connection.status().appliedHash).toBe(H1);

    await writeFile(tokenFile, 'good-2\n'); // the kubelet rotated the projected token
    const back = await startOperatorStream(port, new Set(['good-2']));
    cleanups.push(() => back.close());
    back.stream.publish(table(2, H2));
    await waitFor('reconnected with the new token and applied version 2', () => connection.status().appliedVersion === 2, 10_000);
    expect(back.tokensSeen).toContain('good-2');
    expect(back.tokensSeen).not.toContain('good-1');
  });

  it('reports a refused token and never becomes ready', async () => {
    const op = await startOperatorStream(0, new Set(['someone-else']));
    cleanups.push(() => op.close());
    op.stream.publish(table(1, H1));
    const applied: RoutingTable[] = [];
    const connection = connect(op.port, applied);
    await waitFor('the refusal', () => connection.status().lastError?.includes('401'));
    expect(connection.status().connected).toBe(false);
    expect(applied).toEqual([]);
  });

  it('treats a silent stream as dead and redials', async () => {
    let requests = 0;
    const silent = createServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const lines: string[] = [];
    connect((silent.address() as AddressInfo).port, [], {
      inactivityTimeoutMs: 150,
      logger: createLogger({ write: (line) => lines.push(line) }),
    });
    await waitFor('a second dial', () => requests >= 2, 5_000);
    expect(lines.join('')).toContain('no data from the control plane for 150 ms');
  });

  it('refuses acknowledgements for unknown sessions and malformed bodies', async () => {
    const op = await startOperatorStream();
    cleanups.push(() => op.close());
    const post = (body: string) =>
      fetch(`http://127.0.0.1:${op.port}/v1/acks`, {
        method: 'POST',
        headers: { authorization: 'Bearer good-1', 'content-type': 'application/json' },
        body,
      });
    expect((await post(JSON.stringify({ session: 'nope', version: 1, hash: H1, applied: true }))).status).toBe(404);
    const bad = await post(JSON.stringify({ session: 's', version: 'one', hash: H1, applied: true }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: 'version must be an integer' } });
    expect((await fetch(`http://127.0.0.1:${op.port}/v1/acks`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});
