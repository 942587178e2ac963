// Backend credentials read from the gateway's own filesystem (`credentials: [{file: {path}}]`):
// a Vault or Secrets Store CSI driver mounts the value into the pod and rotates it there, so it
// never passes through the operator, etcd or the routing table. The table names only the path.
//
// Each path in the serving table is read once when the table loads (the first request already
// has the value) and then watched two ways: fs.watch on the file's directory, which sees the CSI
// drivers' atomic swap of the `..data` symlink at once, and a periodic stat as the fallback for
// whatever events a filesystem does not deliver (network and overlay filesystems, a watch that
// broke, a symlink replaced higher up). A new value produces new credential objects, so new
// attempts use it and everything cached per credential object (prepared headers, token sources)
// starts afresh; an attempt already under way keeps the object it picked, and so the old value.
import { watch, type FSWatcher, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage, silentLogger, type CompiledCredential, type Logger, type ProviderName } from '@switchyard/compiler';
import { UpstreamFailure } from '../errors/upstream-failure.js';

/** How often each credential file is stat'ed when no change event came (the fallback). */
const FILE_CREDENTIAL_POLL_MS = 1_000;
/** The largest credential file read; a service-account JSON is about 2.5 KB. */
const FILE_CREDENTIAL_MAX_BYTES = 64 * 1024;

interface WatchedFile {
  readonly path: string;
  /** The file's content as last read; undefined while it cannot be read (see `problem`). */
  value: string | undefined;
  problem: string | undefined;
  /** Identity of what was last read (inode, size, times), to skip re-reading an unchanged file. */
  signature: string | undefined;
  /** Credential objects built from the current value, one per compiled credential naming the path. */
  resolved: WeakMap<CompiledCredential, CompiledCredential>;
  watcher: FSWatcher | undefined;
  reading: boolean;
  /** A change was signalled while a read was under way: read again when it ends. */
  again: boolean;
}

export interface FileCredentialOptions {
  pollMs?: number;
  maxBytes?: number;
}

export class FileCredentialStore {
  private readonly files = new Map<string, WatchedFile>();
  private logger: Logger = silentLogger;
  private readonly pollMs: number;
  private readonly maxBytes: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: FileCredentialOptions = {}) {
    this.pollMs = options.pollMs ?? FILE_CREDENTIAL_POLL_MS;
    this.maxBytes = options.maxBytes ?? FILE_CREDENTIAL_MAX_BYTES;
  }

  /** Where reloads and read failures are reported (paths only, never content). */
  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  /** Watches exactly `paths` (the file credentials of the table just loaded), reading new ones now. */
  retain(paths: ReadonlySet<string>): void {
    for (const [path, file] of this.files) {
      if (paths.has(path)) continue;
      file.watcher?.close();
      this.files.delete(path);
    }
    for (const path of paths) if (!this.files.has(path)) this.files.set(path, this.startWatching(path));
    if (this.files.size > 0 && this.timer === undefined) {
      this.timer = setInterval(() => {
        for (const file of this.files.values()) void this.refresh(file);
      }, this.pollMs);
      this.timer.unref();
    } else if (this.files.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * The credential an attempt uses: for a file credential, one carrying the file's current value
   * (the service-account JSON for vertex-ai, an API key otherwise). Throws an AuthError failure,
   * naming the path, while the file cannot be read: the attempt moves on to another backend.
   */
  resolve(credential: CompiledCredential, provider: ProviderName): CompiledCredential {
    const path = credential.file?.path;
    if (path === undefined) return credential;
    const file = this.files.get(path);
    if (file?.value === undefined) {
      throw new UpstreamFailure(
        'AuthError',
        0,
        `credential file ${path} cannot be used: ${file?.problem ?? 'it is not watched by this gateway'}`,
      );
    }
    let resolved = file.resolved.get(credential);
    if (resolved === undefined) {
      resolved =
        provider === 'vertex-ai'
          ? { ref: credential.ref, weight: credential.weight, serviceAccountJson: file.value }
          : { ref: credential.ref, weight: credential.weight, apiKey: file.value.trim() };
      file.resolved.set(credential, resolved);
    }
    return resolved;
  }

  close(): void {
    this.retain(new Set());
  }

  private startWatching(path: string): WatchedFile {
    const file: WatchedFile = {
      path,
      value: undefined,
      problem: undefined,
      signature: undefined,
      resolved: new WeakMap(),
      watcher: undefined,
      reading: false,
      again: false,
    };
    // Synchronously, once per new path: the table that names it must not serve a request before
    // the value is there.
    try {
      const stats = statSync(path);
      this.accept(file, signatureOf(stats), this.checked(path, stats, readFileSync(path)));
    } catch (error) {
      this.reject(file, error);
    }
    try {
      // The directory, not the file: a CSI driver replaces the `..data` symlink the file resolves
      // through, which a watch on the file itself (its old inode) would never report.
      file.watcher = watch(dirname(path), { persistent: false }, () => void this.refresh(file));
      file.watcher.on('error', () => {
        file.watcher?.close();
        file.watcher = undefined;
      });
    } catch {
      // No watch on this filesystem (or no directory yet): the periodic stat still finds changes.
      file.watcher = undefined;
    }
    return file;
  }

  private async refresh(file: WatchedFile): Promise<void> {
    if (file.reading) {
      file.again = true;
      return;
    }
    file.reading = true;
    try {
      do {
        file.again = false;
        try {
          const stats = await stat(file.path);
          const signature = signatureOf(stats);
          if (signature === file.signature && file.value !== undefined) continue;
          const content = await readFile(file.path);
          if (this.files.get(file.path) !== file) return;
          this.accept(file, signature, this.checked(file.path, stats, content));
        } catch (error) {
          if (this.files.get(file.path) !== file) return;
          this.reject(file, error);
        }
      } while (file.again);
    } finally {
      file.reading = false;
    }
  }

  private checked(path: string, stats: Stats, content: Buffer): string {
    if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
    if (content.length > this.maxBytes) throw new Error(`it is larger than ${this.maxBytes} bytes (FILE_CREDENTIAL_MAX_BYTES)`);
    const text = content.toString('utf8');
    if (text.trim() === '') throw new Error('it is empty');
    return text;
  }

  private accept(file: WatchedFile, signature: string, value: string): void {
    file.signature = signature;
    if (value === file.value) return;
    const first = file.value === undefined && file.problem === undefined;
    file.value = value;
    file.problem = undefined;
    file.resolved = new WeakMap();
    if (!first) this.logger.info('credential file reloaded', { path: file.path });
  }

  private reject(file: WatchedFile, error: unknown): void {
    const problem = errorMessage(error);
    file.signature = undefined;
    // The last good value keeps serving while the file is briefly missing (a driver between two
    // writes); only a file never read is unusable.
    if (problem !== file.problem) this.logger.warn('credential file unreadable', { path: file.path, problem });
    file.problem = problem;
  }
}

function signatureOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}
