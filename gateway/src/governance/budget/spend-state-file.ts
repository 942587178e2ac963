// Standalone mode's durable spend (--state-file): one JSON document, rewritten whole. A write goes
// to a temporary file in the same directory, is fsync'd, renamed over the old file, and the
// directory is fsync'd, so a crash (kill -9, power loss) leaves either the old or the new
// document, never half of one. Writes are debounced: the first settlement after a write
// schedules the next one `flushDelayMs` later, so at most that much settled spend is at risk in
// a crash; a graceful stop writes immediately.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '@switchyard/compiler';

const STATE_FILE_VERSION = 1;
const DEFAULT_FLUSH_DELAY_MS = 200;

export interface SpendRecord {
  budgetId: string;
  /** ISO-8601 start of the period. */
  periodStart: string;
  spentNanos: string;
}

interface StateDocument {
  version: number;
  savedAt: string;
  budgets: SpendRecord[];
}

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/** Reads the state file; undefined when it does not exist yet. Anything unreadable is an error naming the problem. */
export function readSpendStateFile(path: string): SpendRecord[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`cannot read state file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new StateFileError(`state file ${path} is not JSON; move it away to start with no recorded spend`);
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    (document as StateDocument).version !== STATE_FILE_VERSION ||
    !Array.isArray((document as StateDocument).budgets)
  ) {
    throw new StateFileError(`state file ${path} is not a version ${STATE_FILE_VERSION} Switchyard spend file`);
  }
  const records: SpendRecord[] = [];
  for (const [index, record] of ((document as StateDocument).budgets as unknown[]).entries()) {
    const { budgetId, periodStart, spentNanos } = (record ?? {}) as Partial<SpendRecord>;
    if (
      typeof budgetId !== 'string' ||
      typeof periodStart !== 'string' ||
      Number.isNaN(Date.parse(periodStart)) ||
      typeof spentNanos !== 'string' ||
      !/^\d+$/.test(spentNanos)
    ) {
      throw new StateFileError(
        `state file ${path}: budgets[${index}] needs budgetId, an ISO periodStart and spentNanos as a decimal integer string`,
      );
    }
    records.push({ budgetId, periodStart, spentNanos });
  }
  return records;
}

function serialize(records: readonly SpendRecord[], nowMs: number): string {
  const document: StateDocument = { version: STATE_FILE_VERSION, savedAt: new Date(nowMs).toISOString(), budgets: [...records] };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface SpendStateWriterOptions {
  path: string;
  /** What to write: called when a write starts, so it always writes the latest figures. */
  collect: () => SpendRecord[];
  logger: Logger;
  flushDelayMs?: number;
  nowMs?: () => number;
}

export class SpendStateWriter {
  private readonly temporary: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirtyWhileWriting = false;
  private failing = false;

  constructor(private readonly options: SpendStateWriterOptions) {
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
    }, this.options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS);
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
    const body = serialize(this.options.collect(), (this.options.nowMs ?? Date.now)());
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
    const body = serialize(this.options.collect(), (this.options.nowMs ?? Date.now)());
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
        this.options.logger.info('spend state file writable again', { stateFile: this.options.path });
      }
    } catch (error) {
      // Spend stays in memory and the next settlement tries again; say so once per outage.
      if (!this.failing) {
        this.failing = true;
        this.options.logger.error('cannot write spend state file; spend is kept in memory and retried', {
          stateFile: this.options.path,
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
