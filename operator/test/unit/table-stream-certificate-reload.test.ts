// The operator's table stream picks up a rotated serving certificate without a restart: the
// certificate sits in a directory laid out like a mounted Secret and is rotated the kubelet's
// way (a `..data` symlink swap). New handshakes get the new certificate; open connections keep
// theirs; a bad or expired pair is refused, logged and counted while the last good one serves.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { parseOperatorFlags } from '../../src/cli/operator-flags.js';
import { createLogger } from '../../src/observe/logger.js';
import { startOperator, type RunningOperator } from '../../src/run-operator.js';
import { startScriptedApi, type ScriptedApi } from '../support/scripted-api-server.js';
import {
  KubeletSecretVolume,
  makeCertificate,
  opensslAvailable,
  servedCertificate,
  type TestCertificate,
} from '../support/serving-certificates.js';
import { waitFor } from '../support/wait-for.js';

const hasOpenssl = opensslAvailable();
if (!hasOpenssl) console.warn('SKIPPED table stream certificate reload tests: openssl not found');
const describeWithOpenssl = hasOpenssl ? describe : describe.skip;

interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

describeWithOpenssl('table stream: serving certificate rotation', () => {
  let dir: string;
  let certA: TestCertificate;
  let certB: TestCertificate;
  let certC: TestCertificate;
  let expired: TestCertificate;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cert-reload-'));
    [certA, certB, certC, expired] = await Promise.all([
      makeCertificate(dir, 'cert-a'),
      makeCertificate(dir, 'cert-b'),
      makeCertificate(dir, 'cert-c'),
      makeCertificate(dir, 'cert-expired', { days: -1 }),
    ]);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** An operator serving certificate A from a kubelet-style volume; the API server answers 500 to everything (not needed here). */
  async function startWithCertificateA(name: string, reload: { pollIntervalMs?: number; watch?: boolean } = {}) {
    const volume = new KubeletSecretVolume(join(dir, name));
    await volume.create(certA);
    const api: ScriptedApi = await startScriptedApi([]);
    cleanups.push(() => api.close());
    const logs: LogRecord[] = [];
    const rawLogs: string[] = [];
    const logger = createLogger({
      write: (line) => {
        rawLogs.push(line);
        logs.push(JSON.parse(line) as LogRecord);
      },
    });
    const flags = parseOperatorFlags(
      [
        '--listen',
        '127.0.0.1:0',
        '--health-port',
        '0',
        '--tls-cert-file',
        volume.certFile,
        '--tls-key-file',
        volume.keyFile,
        '--replica-id',
        name,
      ],
      {},
    );
    const operator: RunningOperator = await startOperator(flags, { logger, client: api.client, certificateReload: reload });
    cleanups.push(() => operator.close());
    const metricsText = async () => operator.metrics.render();
    const reloads = async (result: string) =>
      (await operator.metrics.servingCertificateReloads.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
    const certificateLogs = () => logs.filter((l) => l.part === 'serving-certificate');
    return { volume, operator, logs, rawLogs, metricsText, reloads, certificateLogs };
  }

  it('serves the rotated certificate to new handshakes within seconds, and open connections keep their session', async () => {
    const { volume, operator, metricsText, reloads, certificateLogs } = await startWithCertificateA('rotate');
    const port = operator.listenPort;
    expect(await servedCertificate(port)).toEqual({ serial: certA.serial, fingerprint256: certA.fingerprint256 });
    expect(await metricsText()).toContain(
      `switchyard_operator_serving_certificate_expiry_timestamp_seconds{serial="${certA.serial}"} ${certA.notAfter.getTime() / 1000}`,
    );

    const open = await openTlsConnection(port);
    cleanups.push(async () => void open.destroy());

    await volume.rotate(certB);
    await waitFor('a new handshake to get certificate B', async () => (await servedCertificate(port)).serial === certB.serial, 5_000, 50);
    expect(await servedCertificate(port)).toEqual({ serial: certB.serial, fingerprint256: certB.fingerprint256 });
    expect(await reloads('success')).toBe(1);
    expect(await metricsText()).toContain(
      `switchyard_operator_serving_certificate_expiry_timestamp_seconds{serial="${certB.serial}"} ${certB.notAfter.getTime() / 1000}`,
    );
    expect(await metricsText()).not.toContain(`serial="${certA.serial}"`);
    expect(certificateLogs()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'serving certificate reloaded',
        subject: 'CN=cert-b',
        serial: certB.serial,
        notAfter: certB.notAfter.toISOString(),
      }),
    ]);

    // The connection opened before the rotation still has certificate A and still answers.
    expect(open.getPeerCertificate().serialNumber).toBe(certA.serial);
    expect(await roundTrip(open, 'GET /no-such-path HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('refuses a mismatched pair and an expired certificate, logged and counted, and keeps serving the last good one', async () => {
    const { volume, operator, rawLogs, reloads, certificateLogs } = await startWithCertificateA('refuse');
    const port = operator.listenPort;
    await volume.rotate(certB);
    await waitFor('certificate B served', async () => (await servedCertificate(port)).serial === certB.serial, 5_000, 50);

    await volume.rotate({ cert: certC.cert, key: certA.key });
    await waitFor('the mismatched pair refused', async () => (await reloads('error')) === 1, 5_000, 50);
    expect((await servedCertificate(port)).serial).toBe(certB.serial);
    const mismatch = certificateLogs().filter((l) => l.level === 'error');
    expect(mismatch).toEqual([
      expect.objectContaining({
        msg: 'serving certificate not reloaded; the previous one keeps serving',
        file: volume.keyFile,
        servingSerial: certB.serial,
      }),
    ]);
    expect(String(mismatch[0]?.problem)).toContain('is not the private key of the certificate in');

    await volume.rotate(expired);
    await waitFor('the expired certificate refused', async () => (await reloads('error')) === 2, 5_000, 50);
    expect((await servedCertificate(port)).serial).toBe(certB.serial);
    expect(
      certificateLogs()
        .filter((l) => l.level === 'error')
        .at(-1)?.problem,
    ).toBe(`${volume.certFile} expired at ${expired.notAfter.toISOString()} (serial ${expired.serial})`);

    // The next valid rotation is applied.
    await volume.rotate(certC);
    await waitFor('certificate C served', async () => (await servedCertificate(port)).serial === certC.serial, 5_000, 50);
    expect(await reloads('success')).toBe(2);
    expect(await reloads('error')).toBe(2);
    for (const key of [certA.key, certB.key, certC.key, expired.key]) {
      for (const line of key
        .toString()
        .split('\n')
        .filter((l) => l && !l.startsWith('-----')))
        expect(rawLogs.join('')).not.toContain(line);
    }
  });

  it('with the watch off, the periodic check alone applies the rotation', async () => {
    const { volume, operator } = await startWithCertificateA('poll-only', { watch: false, pollIntervalMs: 200 });
    await volume.rotate(certB);
    await waitFor(
      'certificate B served after a poll',
      async () => (await servedCertificate(operator.listenPort)).serial === certB.serial,
      5_000,
      50,
    );
  });

  it('starts with an expired certificate (logged) and picks up its renewal', async () => {
    const volume = new KubeletSecretVolume(join(dir, 'start-expired'));
    await volume.create(expired);
    const api = await startScriptedApi([]);
    cleanups.push(() => api.close());
    const logs: LogRecord[] = [];
    const logger = createLogger({ write: (line) => void logs.push(JSON.parse(line) as LogRecord) });
    const flags = parseOperatorFlags(
      ['--listen', '127.0.0.1:0', '--health-port', '0', '--tls-cert-file', volume.certFile, '--tls-key-file', volume.keyFile],
      {},
    );
    const operator = await startOperator(flags, { logger, client: api.client });
    cleanups.push(() => operator.close());
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'the serving certificate has expired; gateways will refuse it until it is renewed',
        serial: expired.serial,
      }),
    );
    expect((await servedCertificate(operator.listenPort)).serial).toBe(expired.serial);
    await volume.rotate(certA);
    await waitFor('the renewal served', async () => (await servedCertificate(operator.listenPort)).serial === certA.serial, 5_000, 50);
  });

  it('refuses to start with a mismatched pair', async () => {
    const volume = new KubeletSecretVolume(join(dir, 'start-mismatch'));
    await volume.create({ cert: certA.cert, key: certB.key });
    const flags = parseOperatorFlags(['--listen', '127.0.0.1:0', '--tls-cert-file', volume.certFile, '--tls-key-file', volume.keyFile], {});
    await expect(startOperator(flags)).rejects.toThrow(
      `unusable TLS certificate or key: ${volume.keyFile} is not the private key of the certificate in ${volume.certFile}`,
    );
  });
});

function openTlsConnection(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: TLSSocket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.once('error', reject);
    socket.write(request);
  });
}
