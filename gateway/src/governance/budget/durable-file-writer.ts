// One JSON document kept durable on disk, rewritten whole. A write goes to a temporary file in
// the same directory, is fsync'd, renamed over the old file, and the directory is fsync'd, so a
// crash (kill -9, power loss) leaves either the old or the new document, never half of one.
// Writes are coalesced: the first change after a write schedules the next one `flushDelayMs`
// later (0: on the next turn of the event loop), and changes during a write are written right
// after it; a failed write is retried a second later and logged once per outage.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '@switchyard/compiler';

export interface DurableFileWriterOptions {
  path: string;
  /** The document: called when a write starts, so it always writes the latest state. */
  render: () => string;
  logger: Logger;
  /** Names the file in log lines (`spend state file`), and the log field holding its path. */
  what: string;
  logField: string;
  flushDelayMs: number;
}

export class DurableFileWriter {
  private readonly temporary: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirtyWhileWriting = false;
  private failing = false;

  constructor(private readonly options: DurableFileWriterOptions) {
    this.temporary = join(dirname(options.path), `.${basename(options.path)}.tmp`);
  }

  /** Something changed: write within flushDelayMs. */
  markDirty(): void {
    if (this.writing !== undefined) {
      this.dirtyWhileWriting = true;
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushDelayMs);
    this.timer.unref();
  }

  /** Writes now (after any write in progress); resolves once the file and its directory entry are on disk. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.writing !== undefined) await this.writing;
    this.writing = this.write().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
    if (this.dirtyWhileWriting) {
      this.dirtyWhileWriting = false;
      this.markDirty();
    }
  }

  /** For process exit paths that cannot await. */
  flushSync(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const body = this.options.render();
    const fd = openSync(this.temporary, 'w', 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.temporary, this.options.path);
    const dir = openSync(dirname(this.options.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  private async write(): Promise<void> {
    const body = this.options.render();
    try {
      const file = await open(this.temporary, 'w', 0o600);
      try {
        await file.writeFile(body, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(this.temporary, this.options.path);
      const dir = await open(dirname(this.options.path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      if (this.failing) {
        this.failing = false;
        this.options.logger.info(`${this.options.what} writable again`, { [this.options.logField]: this.options.path });
      }
    } catch (error) {
      // Spend stays in memory and the next settlement tries again; say so once per outage.
      if (!this.failing) {
        this.failing = true;
        this.options.logger.error(`cannot write ${this.options.what}; spend is kept in memory and retried`, {
          [this.options.logField]: this.options.path,
          error: (error as Error).message,
        });
      }
      this.markDirtyLater();
    }
  }

  private markDirtyLater(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, 1_000);
    this.timer.unref();
  }
}
