// Standalone mode's durable spend (--state-file): one JSON document, rewritten whole. A write goes
// to a temporary file in the same directory, is fsync'd, renamed over the old file, and the
// directory is fsync'd, so a crash (kill -9, power loss) leaves either the old or the new
// document, never half of one. Writes are debounced: the first settlement after a write
// schedules the next one `flushDelayMs` later, so at most that much settled spend is at risk in
// a crash; a graceful stop writes immediately.
import { readFileSync } from 'node:fs';
import type { Logger } from '@switchyard/compiler';
import { DurableFileWriter } from './durable-file-writer.js';

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

/** The --state-file writer: debounced (DEFAULT_FLUSH_DELAY_MS), atomic, fsync'd. */
export function spendStateWriter(options: SpendStateWriterOptions): DurableFileWriter {
  const nowMs = options.nowMs ?? Date.now;
  return new DurableFileWriter({
    path: options.path,
    render: () => serialize(options.collect(), nowMs()),
    logger: options.logger,
    what: 'spend state file',
    logField: 'stateFile',
    flushDelayMs: options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS,
  });
}
