// The table stream's serving certificate, reloaded when its files change. In a pod the files come
// from a Secret volume: on rotation the kubelet writes a new timestamped directory and swaps the
// `..data` symlink, so the paths never change but their content does. Watching the directories
// sees that swap at once; a periodic content check catches whatever the watch missed (events
// are dropped on overflow, some volume types never emit them).
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { errorMessage, type Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';

export interface CertificatePair {
  cert: Buffer;
  key: Buffer;
}

/** What the logs and metrics say about a certificate (never anything from the key). */
interface CertificateSummary {
  subject: string;
  serial: string;
  notAfter: Date;
  fingerprint256: string;
}

export interface LoadedCertificate extends CertificatePair {
  summary: CertificateSummary;
}

type CertificateProblemKind = 'unreadable' | 'invalid' | 'mismatch' | 'expired';

/** Why a pair cannot be served; the message names the file and the problem, never key material. */
export class CertificateProblem extends Error {
  constructor(
    readonly kind: CertificateProblemKind,
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateProblem';
  }
}

/** Reads both files and checks they form a usable pair; expiry is the caller's call (see isExpired). */
export async function loadCertificatePair(certFile: string, keyFile: string): Promise<LoadedCertificate> {
  const cert = await readPem(certFile);
  const key = await readPem(keyFile);
  return { cert, key, summary: validateCertificatePair(cert, key, certFile, keyFile) };
}

function validateCertificatePair(cert: Buffer, key: Buffer, certFile: string, keyFile: string): CertificateSummary {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new CertificateProblem('invalid', certFile, `${certFile} is not a PEM certificate: ${errorMessage(error)}`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // OpenSSL's parse errors describe the format, not the bytes, so they are safe to log.
    throw new CertificateProblem('invalid', keyFile, `${keyFile} is not a PEM private key: ${errorMessage(error)}`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new CertificateProblem(
      'mismatch',
      keyFile,
      `${keyFile} is not the private key of the certificate in ${certFile} (a half-written rotation, or files from different Secrets)`,
    );
  }
  try {
    // The same check the TLS server makes when the context is applied: the whole chain must load.
    createSecureContext({ cert, key });
  } catch (error) {
    throw new CertificateProblem('invalid', certFile, `${certFile} and ${keyFile} do not make a TLS context: ${errorMessage(error)}`);
  }
  return {
    subject: leaf.subject.replace(/\n/g, ', '),
    serial: leaf.serialNumber,
    notAfter: new Date(leaf.validTo),
    fingerprint256: leaf.fingerprint256,
  };
}

export function isExpired(summary: CertificateSummary, nowMs: number): boolean {
  return summary.notAfter.getTime() <= nowMs;
}

async function readPem(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    // Node's message already names the path ("ENOENT: no such file or directory, open '<file>'").
    throw new CertificateProblem('unreadable', file, errorMessage(error));
  }
}

export interface ServingCertificateReloaderOptions {
  certFile: string;
  keyFile: string;
  /** The pair being served now (loaded at start). */
  initial: LoadedCertificate;
  /** Installs a validated pair for new handshakes, e.g. `server.setSecureContext(pair)`. */
  apply: (pair: CertificatePair) => void;
  logger: Logger;
  metrics?: Pick<OperatorMetrics, 'servingCertificateExpiry' | 'servingCertificateReloads'>;
  /** Content check period (default 30 s): the safety net under the directory watch. */
  pollIntervalMs?: number;
  /** Watch the files' directories (default true). Off, only the poll notices changes. */
  watch?: boolean;
  /** Wait after a watch event before reading, so a rotation's several events make one check (default 200 ms). */
  settleMs?: number;
  now?: () => number;
}

type ReloadOutcome = 'unchanged' | 'reloaded' | 'refused';

export class ServingCertificateReloader {
  private readonly options: ServingCertificateReloaderOptions;
  private readonly now: () => number;
  private current: LoadedCertificate;
  /** Content digest of the pair being served. */
  private appliedDigest: string;
  /** What was last refused (a content digest, or the read error): each bad state is reported once. */
  private refusedDigest: string | undefined;
  private watchers: FSWatcher[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private running: Promise<ReloadOutcome> | undefined;
  private rerun = false;
  private stopped = true;

  constructor(options: ServingCertificateReloaderOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.current = options.initial;
    this.appliedDigest = digest(options.initial.cert, options.initial.key);
    this.recordExpiry(options.initial.summary);
  }

  /** The certificate new handshakes get. */
  get serving(): CertificateSummary {
    return this.current.summary;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.options.watch ?? true) this.watchDirectories();
    this.pollTimer = setInterval(() => void this.check(), this.options.pollIntervalMs ?? 30_000);
    this.pollTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.settleTimer);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  /** Reads both files and applies them if they changed and are valid. Concurrent calls share one read. */
  check(): Promise<ReloadOutcome> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.checkOnce().finally(() => {
      this.running = undefined;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        void this.check();
      }
    });
    return this.running;
  }

  private async checkOnce(): Promise<ReloadOutcome> {
    const { certFile, keyFile, logger, metrics } = this.options;
    let cert: Buffer;
    let key: Buffer;
    try {
      [cert, key] = [await readPem(certFile), await readPem(keyFile)];
    } catch (error) {
      return this.refuse(`unreadable:${errorMessage(error)}`, error);
    }
    const seen = digest(cert, key);
    if (seen === this.appliedDigest) {
      this.refusedDigest = undefined;
      return 'unchanged';
    }
    if (seen === this.refusedDigest) return 'refused';
    let summary: CertificateSummary;
    try {
      summary = validateCertificatePair(cert, key, certFile, keyFile);
      if (isExpired(summary, this.now())) {
        throw new CertificateProblem(
          'expired',
          certFile,
          `${certFile} expired at ${summary.notAfter.toISOString()} (serial ${summary.serial})`,
        );
      }
      this.options.apply({ cert, key });
    } catch (error) {
      return this.refuse(seen, error);
    }
    this.appliedDigest = seen;
    this.refusedDigest = undefined;
    this.current = { cert, key, summary };
    this.recordExpiry(summary);
    metrics?.servingCertificateReloads.inc({ result: 'success' });
    logger.info('serving certificate reloaded', {
      subject: summary.subject,
      serial: summary.serial,
      notAfter: summary.notAfter.toISOString(),
      certFile,
    });
    return 'reloaded';
  }

  private recordExpiry(summary: CertificateSummary): void {
    const gauge = this.options.metrics?.servingCertificateExpiry;
    gauge?.reset(); // one series: the certificate served now
    gauge?.set({ serial: summary.serial }, summary.notAfter.getTime() / 1000);
  }

  private refuse(seen: string, error: unknown): ReloadOutcome {
    if (seen === this.refusedDigest) return 'refused';
    this.refusedDigest = seen;
    this.options.metrics?.servingCertificateReloads.inc({ result: 'error' });
    const file = error instanceof CertificateProblem ? error.file : this.options.certFile;
    this.options.logger.error('serving certificate not reloaded; the previous one keeps serving', {
      file,
      problem: errorMessage(error),
      servingSerial: this.current.summary.serial,
      servingNotAfter: this.current.summary.notAfter.toISOString(),
    });
    return 'refused';
  }

  private watchDirectories(): void {
    const directories = new Set([dirname(this.options.certFile), dirname(this.options.keyFile)]);
    for (const directory of directories) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.scheduleCheck());
        // A watch that dies (directory removed, inotify limits) leaves the poll to do the work.
        watcher.on('error', (error) => {
          this.options.logger.warn('cannot watch the serving certificate directory; relying on the periodic check', {
            directory,
            error: errorMessage(error),
          });
          watcher.close();
        });
        this.watchers.push(watcher);
      } catch (error) {
        this.options.logger.warn('cannot watch the serving certificate directory; relying on the periodic check', {
          directory,
          error: errorMessage(error),
        });
      }
    }
  }

  private scheduleCheck(): void {
    if (this.stopped) return;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.check(), this.options.settleMs ?? 200);
    this.settleTimer.unref();
  }
}

function digest(cert: Buffer, key: Buffer): string {
  return createHash('sha256').update(cert).update('\0').update(key).digest('hex');
}
