// Certificates made with openssl, and a Secret volume laid out and rotated the way the kubelet
// does it: files live in a timestamped directory, `..data` points at it, and the visible names
// are symlinks through `..data`; a rotation writes a new directory and renames a fresh symlink
// over `..data` in one step.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { join } from 'node:path';

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface TestCertificate {
  cert: Buffer;
  key: Buffer;
  serial: string;
  fingerprint256: string;
  notAfter: Date;
}

/**
 * A self-signed P-256 certificate for 127.0.0.1. `days: -1` makes one that expired a day ago
 * (openssl 3.0 has no -not_after; `x509 -days -1` puts not-after before now).
 */
export async function makeCertificate(dir: string, name: string, options: { days?: number } = {}): Promise<TestCertificate> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  const days = options.days ?? 1;
  if (days > 0) {
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
        String(days),
        '-subj',
        `/CN=${name}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
  } else {
    const csrFile = join(dir, `${name}.csr`);
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        keyFile,
        '-out',
        csrFile,
      ],
      { stdio: 'ignore' },
    );
    execFileSync('openssl', ['x509', '-req', '-in', csrFile, '-signkey', keyFile, '-days', String(days), '-out', certFile], {
      stdio: 'ignore',
    });
  }
  const cert = await readFile(certFile);
  const parsed = new X509Certificate(cert);
  return {
    cert,
    key: await readFile(keyFile),
    serial: parsed.serialNumber,
    fingerprint256: parsed.fingerprint256,
    notAfter: new Date(parsed.validTo),
  };
}

/** A directory shaped like a mounted `kubernetes.io/tls` Secret. */
export class KubeletSecretVolume {
  readonly certFile: string;
  readonly keyFile: string;
  private generation = 0;
  private current: string | undefined;

  constructor(readonly dir: string) {
    this.certFile = join(dir, 'tls.crt');
    this.keyFile = join(dir, 'tls.key');
  }

  /** First write: the payload directory, `..data`, and the visible symlinks through it. */
  async create(files: { cert: Buffer; key: Buffer }): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.current = await this.writePayload(files);
    await symlink(this.current, join(this.dir, '..data'));
    await symlink('..data/tls.crt', this.certFile);
    await symlink('..data/tls.key', this.keyFile);
  }

  /** A rotation: new payload directory, then `..data` swapped atomically, then the old payload removed. */
  async rotate(files: { cert: Buffer; key: Buffer }): Promise<void> {
    const next = await this.writePayload(files);
    await symlink(next, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (this.current) await rm(join(this.dir, this.current), { recursive: true, force: true });
    this.current = next;
  }

  private async writePayload(files: { cert: Buffer; key: Buffer }): Promise<string> {
    this.generation += 1;
    const name = `..2026_01_01_00_00_${String(this.generation).padStart(2, '0')}.${process.pid}`;
    await mkdir(join(this.dir, name));
    await writeFile(join(this.dir, name, 'tls.crt'), files.cert);
    await writeFile(join(this.dir, name, 'tls.key'), files.key, { mode: 0o600 });
    return name;
  }
}

/** The certificate a fresh TLS handshake with 127.0.0.1:port is given. */
export function servedCertificate(port: number): Promise<{ serial: string; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve({ serial: peer.serialNumber, fingerprint256: peer.fingerprint256 });
    });
    socket.once('error', reject);
  });
}
