// The reloader on its own: what it applies, what it refuses and how it reports it, and that the
// periodic content check alone notices a change (the safety net for lost watch events).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observe/logger.js';
import { OperatorMetrics } from '../../src/observe/operator-metrics.js';
import {
  CertificateProblem,
  loadCertificatePair,
  ServingCertificateReloader,
  type CertificatePair,
  type ServingCertificateReloaderOptions,
} from '../../src/table-server/serving-certificate.js';
import { makeCertificate, opensslAvailable, type TestCertificate } from '../support/serving-certificates.js';
import { delay, waitFor } from '../support/wait-for.js';

const hasOpenssl = opensslAvailable();
if (!hasOpenssl) console.warn('SKIPPED serving certificate reloader tests: openssl not found');
const describeWithOpenssl = hasOpenssl ? describe : describe.skip;

interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

describeWithOpenssl('serving certificate reloader', () => {
  let dir: string;
  let certA: TestCertificate;
  let certB: TestCertificate;
  let expired: TestCertificate;
  const reloaders: ServingCertificateReloader[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-reloader-'));
    [certA, certB, expired] = await Promise.all([
      makeCertificate(dir, 'cert-a'),
      makeCertificate(dir, 'cert-b'),
      makeCertificate(dir, 'cert-expired', { days: -1 }),
    ]);
  });
  afterEach(() => {
    for (const reloader of reloaders.splice(0)) reloader.stop();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function setUp(name: string, options: Partial<ServingCertificateReloaderOptions> = {}) {
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    await writeFile(certFile, certA.cert);
    await writeFile(keyFile, certA.key);
    const applied: CertificatePair[] = [];
    const logs: LogRecord[] = [];
    const rawLogs: string[] = [];
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    const reloader = new ServingCertificateReloader({
      certFile,
      keyFile,
      initial: await loadCertificatePair(certFile, keyFile),
      apply: (pair) => void applied.push(pair),
      logger: createLogger({
        write: (line) => {
          rawLogs.push(line);
          logs.push(JSON.parse(line) as LogRecord);
        },
      }),
      metrics,
      watch: false,
      pollIntervalMs: 60_000,
      ...options,
    });
    reloaders.push(reloader);
    const reloads = async (result: string) =>
      (await metrics.servingCertificateReloads.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
    return { certFile, keyFile, applied, logs, rawLogs, metrics, reloader, reloads };
  }

  it('with the directory watch off, the periodic check alone picks up a changed pair', async () => {
    const { certFile, keyFile, applied, logs, reloader, reloads } = await setUp('poll', { pollIntervalMs: 100 });
    reloader.start();
    await delay(250);
    expect(applied).toEqual([]); // polls of unchanged files apply nothing

    await writeFile(certFile, certB.cert);
    await writeFile(keyFile, certB.key);
    await waitFor('the poll to apply certificate B', () => applied.length === 1, 5_000, 20);
    expect(applied[0]).toEqual({ cert: certB.cert, key: certB.key });
    expect(reloader.serving.serial).toBe(certB.serial);
    expect(await reloads('success')).toBe(1);
    expect(logs.filter((l) => l.msg === 'serving certificate reloaded')).toEqual([
      expect.objectContaining({ level: 'info', subject: 'CN=cert-b', serial: certB.serial, notAfter: certB.notAfter.toISOString() }),
    ]);
  });

  it('without the watch or a poll due, nothing notices a change until check() runs', async () => {
    const { certFile, keyFile, applied, reloader } = await setUp('no-poll');
    reloader.start();
    await writeFile(certFile, certB.cert);
    await writeFile(keyFile, certB.key);
    await delay(300);
    expect(applied).toEqual([]);
    expect(await reloader.check()).toBe('reloaded');
    expect(await reloader.check()).toBe('unchanged');
    expect(applied).toHaveLength(1);
  });

  it('refuses a mismatched pair once, keeps serving the last good one, then applies the next valid pair', async () => {
    const { certFile, keyFile, applied, logs, rawLogs, reloader, reloads } = await setUp('mismatch');
    await writeFile(certFile, certB.cert); // the certificate is new, the key is still A's: a half-written rotation
    expect(await reloader.check()).toBe('refused');
    expect(await reloader.check()).toBe('refused');
    expect(await reloader.check()).toBe('refused');
    expect(applied).toEqual([]);
    expect(reloader.serving.serial).toBe(certA.serial);
    expect(await reloads('error')).toBe(1);
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: keyFile, servingSerial: certA.serial });
    expect(errors[0]?.problem).toBe(
      `${keyFile} is not the private key of the certificate in ${certFile} (a half-written rotation, or files from different Secrets)`,
    );
    for (const line of [...pemLines(certA.key), ...pemLines(certB.key)]) expect(rawLogs.join('')).not.toContain(line);

    await writeFile(keyFile, certB.key);
    expect(await reloader.check()).toBe('reloaded');
    expect(reloader.serving.serial).toBe(certB.serial);
    expect(await reloads('success')).toBe(1);
  });

  it('refuses an expired certificate', async () => {
    const { certFile, keyFile, applied, logs, reloader, reloads, metrics } = await setUp('expired');
    await writeFile(certFile, expired.cert);
    await writeFile(keyFile, expired.key);
    expect(await reloader.check()).toBe('refused');
    expect(applied).toEqual([]);
    expect(await reloads('error')).toBe(1);
    expect(logs.find((l) => l.level === 'error')?.problem).toBe(
      `${certFile} expired at ${expired.notAfter.toISOString()} (serial ${expired.serial})`,
    );
    // The gauge still describes what is served: certificate A.
    expect((await metrics.servingCertificateExpiry.get()).values).toEqual([
      { labels: { serial: certA.serial }, value: certA.notAfter.getTime() / 1000 },
    ]);
  });

  it('names the file with bad PEM, and counts an unreadable file once until it is back', async () => {
    const { certFile, keyFile, logs, reloader, reloads } = await setUp('bad-pem');
    await writeFile(keyFile, '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n');
    expect(await reloader.check()).toBe('refused');
    expect(logs.at(-1)).toMatchObject({ level: 'error', file: keyFile });
    expect(String(logs.at(-1)?.problem)).toMatch(new RegExp(`^${escapeRegExp(keyFile)} is not a PEM private key: `));

    await writeFile(keyFile, certA.key);
    await writeFile(certFile, 'half a certificate');
    expect(await reloader.check()).toBe('refused');
    expect(logs.at(-1)).toMatchObject({ level: 'error', file: certFile });
    expect(String(logs.at(-1)?.problem)).toMatch(new RegExp(`^${escapeRegExp(certFile)} is not a PEM certificate: `));

    await rm(certFile);
    expect(await reloader.check()).toBe('refused');
    expect(await reloader.check()).toBe('refused');
    expect(logs.at(-1)).toMatchObject({ level: 'error', file: certFile });
    expect(String(logs.at(-1)?.problem)).toMatch(/^ENOENT/);
    expect(await reloads('error')).toBe(3);

    // Back to the pair being served: nothing to apply, and nothing more to report.
    await writeFile(certFile, certA.cert);
    expect(await reloader.check()).toBe('unchanged');
    expect(await reloads('success')).toBe(0);
  });

  it('sets the expiry gauge to the served certificate, one series at a time', async () => {
    const { certFile, keyFile, reloader, metrics } = await setUp('gauge');
    expect((await metrics.servingCertificateExpiry.get()).values).toEqual([
      { labels: { serial: certA.serial }, value: certA.notAfter.getTime() / 1000 },
    ]);
    await writeFile(certFile, certB.cert);
    await writeFile(keyFile, certB.key);
    await reloader.check();
    expect((await metrics.servingCertificateExpiry.get()).values).toEqual([
      { labels: { serial: certB.serial }, value: certB.notAfter.getTime() / 1000 },
    ]);
  });

  it('loadCertificatePair reports what is wrong with which file', async () => {
    const certFile = join(dir, 'cert-a.crt');
    await expect(loadCertificatePair(certFile, join(dir, 'cert-b.key'))).rejects.toMatchObject({
      kind: 'mismatch',
      file: join(dir, 'cert-b.key'),
    });
    await expect(loadCertificatePair(join(dir, 'absent.crt'), join(dir, 'cert-a.key'))).rejects.toBeInstanceOf(CertificateProblem);
    await expect(loadCertificatePair(join(dir, 'absent.crt'), join(dir, 'cert-a.key'))).rejects.toMatchObject({
      kind: 'unreadable',
      file: join(dir, 'absent.crt'),
    });
    const loaded = await loadCertificatePair(certFile, join(dir, 'cert-a.key'));
    expect(loaded.summary).toEqual({
      subject: 'CN=cert-a',
      serial: certA.serial,
      notAfter: certA.notAfter,
      fingerprint256: certA.fingerprint256,
    });
  });
});

function pemLines(pem: Buffer): string[] {
  return pem
    .toString()
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
