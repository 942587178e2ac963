// TLS on the table stream: the gateway verifies the operator with --ca-file; the operator refuses
// to serve tables (which carry provider credentials) over plain HTTP anywhere but loopback.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RoutingTable } from '@switchyard/compiler';
import type * as ClientModule from '../../../gateway/dist/src/control-plane/control-plane-client.js';
import { parseOperatorFlags } from '../../src/cli/operator-flags.js';
import { silentLogger } from '../../src/observe/logger.js';
import { startOperator, StartupError } from '../../src/run-operator.js';
import { TableStreamServer } from '../../src/table-server/table-stream-server.js';
import { repoRoot } from '../support/repo-paths.js';
import { waitFor } from '../support/wait-for.js';

const { connectToControlPlane } = (await import(
  pathToFileURL(join(repoRoot, 'gateway/dist/src/control-plane/control-plane-client.js')).href
)) as typeof ClientModule;

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
  console.warn('SKIPPED TLS table stream tests: openssl not found');
}

describe('table stream over TLS', () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-tls-'));
    certFile = join(dir, 'tls.crt');
    keyFile = join(dir, 'tls.key');
    await writeFile(join(dir, 'token'), 'gateway-token');
    if (hasOpenssl) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=switchyard-operator',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: 'ignore' },
      );
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  (hasOpenssl ? it : it.skip)('delivers tables to a gateway that trusts the operator certificate, and only to it', async () => {
    const stream = new TableStreamServer({
      authenticate: async () => ({ ok: true, serviceAccount: 'ai/gw', username: 'system:serviceaccount:ai:gw' }),
      replicaId: 'tls',
      logger: silentLogger,
    });
    const server = createServer(
      { cert: await readFile(certFile), key: await readFile(keyFile) },
      (req, res) => void stream.handle(req, res),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const table: RoutingTable = {
      version: 7,
      hash: 'c'.repeat(64),
      compiledAt: '',
      routes: {},
      modelsByNamespace: {},
      keys: [],
      budgets: [],
    };
    stream.publish(table);
    const common = { url, tokenFile: join(dir, 'token'), gatewayId: 'gw', logger: silentLogger, backoffInitialMs: 20, backoffMaxMs: 50 };
    const trusting: RoutingTable[] = [];
    const trusted = connectToControlPlane({ ...common, caFile: certFile, onTable: (t) => void trusting.push(t) });
    const untrusted = connectToControlPlane({ ...common, onTable: () => {} });
    try {
      await trusted.firstTable();
      expect(trusting[0]?.version).toBe(7);
      await waitFor('the untrusted client fails verification', () => /certificate/i.test(untrusted.status().lastError ?? ''));
      expect(untrusted.status().appliedVersion).toBeUndefined();
    } finally {
      await trusted.close();
      await untrusted.close();
      stream.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses plain HTTP on a non-loopback address, and unreadable certificates', async () => {
    await expect(startOperator(parseOperatorFlags(['--listen', '0.0.0.0:0'], {}))).rejects.toThrow(
      new StartupError(
        '--listen 0.0.0.0:0 needs --tls-cert-file and --tls-key-file: tables carry provider credentials, so plain HTTP is allowed on loopback only',
      ),
    );
    await expect(
      startOperator(parseOperatorFlags(['--tls-cert-file', join(dir, 'missing.crt'), '--tls-key-file', join(dir, 'missing.key')], {})),
    ).rejects.toThrow(/cannot read the TLS certificate or key: ENOENT/);
  });
});
