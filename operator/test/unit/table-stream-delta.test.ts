// Deltas on the table stream, end to end in one process: the operator's TableStreamServer and the
// gateway's control-plane client (from the gateway build) over real HTTP, with real compiled
// tables. A scripted proxy between them drops or corrupts a delta; plain HTTP clients and servers
// play the side that predates deltas.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { canonicalJson, hashTableContent, TABLE_DELTAS_HEADER, type RoutingTable } from '@switchyard/compiler';
import type * as ClientModule from '../../../gateway/dist/src/control-plane/control-plane-client.js';
import { createLogger } from '../../src/observe/logger.js';
import { TableStreamServer } from '../../src/table-server/table-stream-server.js';
import { repoRoot } from '../support/repo-paths.js';
import { compileScaleTable, scaleInput } from '../support/scale-input.js';
import { waitFor } from '../support/wait-for.js';

const { connectToControlPlane } = (await import(
  pathToFileURL(join(repoRoot, 'gateway/dist/src/control-plane/control-plane-client.js')).href
)) as typeof ClientModule;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Every event the operator writes, by name, with its size: what went over the wire. */
interface WireLog {
  events: Array<{ event: string; bytes: number }>;
}

/**
 * Forwards the table stream and acknowledgements to the operator. `mangle` sees each SSE event of
 * the stream and returns what to send instead (undefined: drop it).
 */
async function startProxy(
  operatorPort: number,
  wire: WireLog,
  mangle: (event: string) => string | undefined,
): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: operatorPort, path: req.url, method: req.method, headers: req.headers },
      (up: IncomingMessage) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        let buffered = '';
        up.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
            const event = buffered.slice(0, end + 2);
            buffered = buffered.slice(end + 2);
            const name = /^event: (\w+)/.exec(event)?.[1];
            if (name) wire.events.push({ event: name, bytes: Buffer.byteLength(event) });
            const out = mangle(event);
            if (out !== undefined) res.write(out);
          }
        });
        up.on('end', () => res.end());
      },
    );
    req.pipe(upstream);
    upstream.on('error', () => res.destroy());
    // The gateway hanging up ends its session at the operator too, as without a proxy.
    res.on('close', () => upstream.destroy());
  });
  return { port: await listen(server), server };
}

describe('table stream deltas', () => {
  let dir: string;
  let tokenFile: string;
  const cleanups: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-delta-'));
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'good\n');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function startOperator(
    onTableEncoded?: (bytes: { jsonBytes: number; gzipBytes: number }) => void,
  ): Promise<{ stream: TableStreamServer; port: number }> {
    const stream = new TableStreamServer({
      authenticate: async () => ({ ok: true, serviceAccount: 'ai/gateway', username: 'system:serviceaccount:ai:gateway' }),
      replicaId: 'test',
      keepaliveIntervalMs: 50,
      ...(onTableEncoded ? { onTableEncoded } : {}),
    });
    const server = createServer((req, res) => {
      if (!stream.handle(req, res)) res.writeHead(404).end();
    });
    const port = await listen(server);
    cleanups.push(async () => {
      stream.close();
      await closeServer(server);
    });
    return { stream, port };
  }

  function connect(port: number, options: { deltas?: boolean } = {}) {
    const applied: RoutingTable[] = [];
    const resyncs: string[] = [];
    const logLines: string[] = [];
    const connection = connectToControlPlane({
      url: `http://127.0.0.1:${port}`,
      tokenFile,
      gatewayId: 'gw-delta',
      logger: createLogger({ write: (line) => logLines.push(line) }),
      backoffInitialMs: 20,
      backoffMaxMs: 100,
      currentHash: () => applied.at(-1)?.hash,
      onTable: (table) => void applied.push(table),
      onResync: (reason) => void resyncs.push(reason),
      ...(options.deltas === undefined ? {} : { deltas: options.deltas }),
    });
    cleanups.push(() => connection.close());
    return { connection, applied, resyncs, logLines };
  }

  /**
   * The table the gateway serves is the operator's, entry for entry, and the very value (member
   * order included) a gateway decodes from the full table event.
   */
  function expectSameTable(applied: RoutingTable | undefined, published: { table: RoutingTable; tableJson: string }): void {
    if (!applied) throw new Error('nothing applied');
    expect(hashTableContent(applied)).toBe(published.table.hash);
    const same = canonicalJson(applied) === canonicalJson(published.table);
    expect(same).toBe(true);
    const sameOrder = JSON.stringify(applied) === JSON.stringify(JSON.parse(published.tableJson));
    expect(sameOrder).toBe(true);
  }

  function changeOneKey(input: ReturnType<typeof scaleInput>, index: number, tier: string): void {
    const labels = input.virtualKeys?.[index]?.metadata.labels as Record<string, string> | undefined;
    if (!labels) throw new Error(`no key ${index}`);
    labels.tier = tier;
  }

  it('after the first table a change goes as a small delta, applied, acknowledged and equal to the full table', async () => {
    const op = await startOperator();
    const wire: WireLog = { events: [] };
    const proxy = await startProxy(op.port, wire, (event) => event);
    cleanups.push(() => closeServer(proxy.server));
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1);
    const full = op.stream.publish(v1.table, v1.index);
    const gw = connect(proxy.port);
    await gw.connection.firstTable();

    changeOneKey(input, 11, 'platinum');
    const v2 = compileScaleTable(input, 2);
    op.stream.publish(v2.table, v2.index);
    await waitFor('v2 acknowledged', () => op.stream.snapshot().hashes[0] === v2.table.hash);
    expect(gw.connection.status()).toMatchObject({ appliedVersion: 2, appliedHash: v2.table.hash, deltasApplied: 1, resyncs: 0 });
    expect(op.stream.sessionList()[0]).toMatchObject({ ackedVersion: 2, ackedHash: v2.table.hash, deltas: true });
    const delta = wire.events.filter((e) => e.event === 'delta');
    expect(delta.length).toBe(1);
    expect(delta[0]?.bytes).toBeLessThan(2048);
    expect(delta[0]?.bytes).toBeLessThan(full.frame.length / 10);
    expectSameTable(gw.applied.at(-1), v2);

    // A route change, then a removed key: each a delta, the served table still the operator's.
    const route = input.routes?.[4];
    if (!route) throw new Error('no route');
    route.spec = { ...route.spec, timeouts: { ...route.spec.timeouts, total: '120s' } };
    const v3 = compileScaleTable(input, 3);
    op.stream.publish(v3.table, v3.index);
    const v4 = compileScaleTable({ ...input, virtualKeys: input.virtualKeys?.filter((_, i) => i !== 20) ?? [] }, 4);
    op.stream.publish(v4.table, v4.index);
    await waitFor('v4 acknowledged', () => op.stream.snapshot().hashes[0] === v4.table.hash);
    expect(gw.connection.status()).toMatchObject({ deltasApplied: 3, resyncs: 0, connects: 1 });
    expect(wire.events.filter((e) => e.event === 'table').length).toBe(1);
    expectSameTable(gw.applied.at(-1), v4);
  });

  it('builds the full table event only when a gateway needs the whole table, once per version', async () => {
    const encoded: number[] = [];
    const op = await startOperator(({ jsonBytes }) => encoded.push(jsonBytes));
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1);
    const p1 = op.stream.publish(v1.table, v1.index);
    // Nobody connected yet: nothing serialized.
    expect(encoded).toEqual([]);
    expect(p1.encoded).toBeUndefined();
    const gw = connect(op.port);
    await gw.connection.firstTable();
    expect(encoded).toEqual([Buffer.byteLength(v1.tableJson)]);

    // A gateway on deltas gets the change as a delta: the new version's full table is not built.
    changeOneKey(input, 6, 'platinum');
    const v2 = compileScaleTable(input, 2);
    const p2 = op.stream.publish(v2.table, v2.index);
    await waitFor('v2 acknowledged', () => op.stream.snapshot().hashes[0] === v2.table.hash);
    expect(gw.connection.status()).toMatchObject({ deltasApplied: 1 });
    expect(p2.delta).toBeDefined();
    expect(p2.encoded).toBeUndefined();
    expect(encoded).toHaveLength(1);

    // Two new gateways need version 2 whole: built once, the same bytes for both.
    const second = connect(op.port);
    const third = connect(op.port, { deltas: false });
    await Promise.all([second.connection.firstTable(), third.connection.firstTable()]);
    expect(encoded).toEqual([Buffer.byteLength(v1.tableJson), Buffer.byteLength(v2.tableJson)]);
    expectSameTable(second.applied.at(-1), v2);
    expectSameTable(third.applied.at(-1), v2);

    // A gateway without deltas makes every later version's table be built, once.
    changeOneKey(input, 7, 'platinum');
    const v3 = compileScaleTable(input, 3);
    op.stream.publish(v3.table, v3.index);
    await waitFor('v3 applied by all', () => [gw, second, third].every((g) => g.connection.status().appliedVersion === 3));
    expect(encoded).toHaveLength(3);
    expect(gw.connection.status()).toMatchObject({ deltasApplied: 2, connects: 1 });
    expectSameTable(third.applied.at(-1), v3);
  });

  it('sends the whole table instead of a delta that changes half the table or more', async () => {
    const op = await startOperator();
    const wire: WireLog = { events: [] };
    const proxy = await startProxy(op.port, wire, (event) => event);
    cleanups.push(() => closeServer(proxy.server));
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1);
    op.stream.publish(v1.table, v1.index);
    const gw = connect(proxy.port);
    await gw.connection.firstTable();
    // Every key changes.
    for (let i = 0; i < (input.virtualKeys?.length ?? 0); i++) changeOneKey(input, i, 'platinum');
    const v2 = compileScaleTable(input, 2);
    const p2 = op.stream.publish(v2.table, v2.index);
    expect(p2.delta).toBeUndefined();
    await waitFor('v2 acknowledged', () => op.stream.snapshot().hashes[0] === v2.table.hash);
    expect(wire.events.map((e) => e.event).filter((e) => e !== 'hello')).toEqual(['table', 'table']);
    expect(gw.connection.status()).toMatchObject({ deltasApplied: 0, resyncs: 0, connects: 1 });
    expectSameTable(gw.applied.at(-1), v2);
  });

  it('a dropped delta (a gap) makes the gateway reconnect for a full table, and says why', async () => {
    const op = await startOperator();
    const wire: WireLog = { events: [] };
    let dropped = 0;
    const proxy = await startProxy(op.port, wire, (event) => (event.startsWith('event: delta') && dropped++ === 0 ? undefined : event));
    cleanups.push(() => closeServer(proxy.server));
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1);
    op.stream.publish(v1.table, v1.index);
    const gw = connect(proxy.port);
    await gw.connection.firstTable();
    changeOneKey(input, 1, 'platinum');
    const v2 = compileScaleTable(input, 2);
    op.stream.publish(v2.table, v2.index); // dropped on the way
    changeOneKey(input, 2, 'platinum');
    const v3 = compileScaleTable(input, 3);
    op.stream.publish(v3.table, v3.index); // its base is v2, which the gateway never got
    await waitFor('v3 acknowledged', () => op.stream.snapshot().hashes[0] === v3.table.hash);
    expect(gw.resyncs).toEqual(['gap']);
    expect(gw.connection.status()).toMatchObject({ appliedVersion: 3, resyncs: 1, connects: 2, deltasApplied: 0 });
    expect(gw.logLines.join('')).toMatch(
      /delta not applied; reconnecting for a full table.*"reason":"gap".*"baseVersion":2.*"holdingVersion":1/,
    );
    expect(wire.events.map((e) => e.event).filter((e) => e !== 'hello')).toEqual(['table', 'delta', 'delta', 'table']);
    expectSameTable(gw.applied.at(-1), v3);
    // Back on deltas after the resync.
    changeOneKey(input, 3, 'platinum');
    const v4 = compileScaleTable(input, 4);
    op.stream.publish(v4.table, v4.index);
    await waitFor('v4 acknowledged', () => op.stream.snapshot().hashes[0] === v4.table.hash);
    expect(gw.connection.status()).toMatchObject({ deltasApplied: 1 });
  });

  it('a delta whose result does not match its digest makes the gateway resync instead of serving it', async () => {
    const op = await startOperator();
    const wire: WireLog = { events: [] };
    let corrupted = 0;
    const proxy = await startProxy(op.port, wire, (event) => {
      if (!event.startsWith('event: delta') || corrupted++ > 0) return event;
      // The key's tier label arrives altered: the content no longer adds up to the digest.
      return event.replace('"tier":"platinum"', '"tier":"tampered"');
    });
    cleanups.push(() => closeServer(proxy.server));
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1);
    op.stream.publish(v1.table, v1.index);
    const gw = connect(proxy.port);
    await gw.connection.firstTable();
    changeOneKey(input, 5, 'platinum');
    const v2 = compileScaleTable(input, 2);
    op.stream.publish(v2.table, v2.index);
    await waitFor('v2 acknowledged', () => op.stream.snapshot().hashes[0] === v2.table.hash);
    expect(corrupted).toBe(1);
    expect(gw.resyncs).toEqual(['digest-mismatch']);
    expect(gw.logLines.join('')).toContain('"reason":"digest-mismatch"');
    // The tampered table was never served: version 1, then version 2 from the full resync.
    expect(gw.applied.map((t) => t.version)).toEqual([1, 2]);
    expectSameTable(gw.applied.at(-1), v2);
  });

  it('a gateway that does not announce deltas gets full tables (plain HTTP client and the client with deltas off)', async () => {
    const op = await startOperator();
    const input = scaleInput();
    const v1 = compileScaleTable(input, 1);
    op.stream.publish(v1.table, v1.index);
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${op.port}/v1/table-stream`, {
      headers: { authorization: 'Bearer good' },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    let text = '';
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += Buffer.from(value as Uint8Array).toString('utf8');
      }
    })();
    cleanups.push(async () => {
      controller.abort();
      await read;
    });
    const old = connect(op.port, { deltas: false });
    await old.connection.firstTable();
    await waitFor('the plain client got version 1', () => text.includes('id: 1\n'));
    changeOneKey(input, 8, 'platinum');
    const v2 = compileScaleTable(input, 2);
    op.stream.publish(v2.table, v2.index);
    await waitFor('the plain client got version 2', () => text.includes('id: 2\n'));
    await waitFor('the old-style client applied version 2', () => old.connection.status().appliedVersion === 2);
    expect(text).not.toContain('event: delta');
    expect(text.match(/event: table\n/g)?.length).toBe(2);
    expect(old.connection.status()).toMatchObject({ deltasApplied: 0, tablesApplied: 2 });
    expect(op.stream.sessionList().map((s) => s.deltas)).toEqual([false, false]);
    expectSameTable(old.applied.at(-1), v2);
  });

  it('an operator that predates deltas ignores the announcement; the gateway applies its full tables', async () => {
    const headersSeen: Array<string | undefined> = [];
    const sent: string[] = [];
    const input = scaleInput();
    const tables = [compileScaleTable(input, 1)];
    changeOneKey(input, 4, 'platinum');
    tables.push(compileScaleTable(input, 2));
    // The old table event: no digest, and nothing but hello, table and keepalives.
    const frame = ({ table, tableJson }: { table: RoutingTable; tableJson: string }) => {
      const json = Buffer.from(tableJson);
      const message = {
        version: table.version,
        hash: table.hash,
        encoding: 'gzip+base64',
        size: json.length,
        data: gzipSync(json).toString('base64'),
      };
      return `event: table\nid: ${table.version}\ndata: ${JSON.stringify(message)}\n\n`;
    };
    const acks: unknown[] = [];
    const oldOperator = createServer((req, res) => {
      if (req.url === '/v1/acks') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          acks.push(JSON.parse(body));
          res.writeHead(204).end();
        });
        return;
      }
      headersSeen.push(req.headers[TABLE_DELTAS_HEADER] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: hello\ndata: ${JSON.stringify({ session: 's-old', replica: 'old' })}\n\n`);
      for (const t of tables) {
        const f = frame(t);
        sent.push(f);
        res.write(f);
      }
    });
    const port = await listen(oldOperator);
    cleanups.push(() => closeServer(oldOperator));
    const gw = connect(port);
    await waitFor('version 2 applied', () => gw.connection.status().appliedVersion === 2);
    expect(headersSeen).toEqual(['1']);
    await waitFor('version 2 acknowledged', () => acks.some((a) => (a as { version: number }).version === 2));
    expect(acks).toContainEqual({ session: 's-old', version: 2, hash: tables[1]?.table.hash, applied: true });
    expect(gw.connection.status()).toMatchObject({ deltasApplied: 0, resyncs: 0 });
    expectSameTable(gw.applied.at(-1), tables[1] as { table: RoutingTable; tableJson: string });
  });
});
