// Cluster mode's usage journal (--usage-journal): the usage report book on disk, rewritten after
// every settlement and acknowledgement (coalesced, atomic, fsync'd), so a gateway container that
// is killed and restarted in the same Pod (the path is on an emptyDir) continues its book and
// resends what the operator has not acknowledged. At risk in a kill: only spend settled in the
// moment between a settlement and the write that follows it.
import { readFileSync, renameSync } from 'node:fs';
import type { Logger } from '@switchyard/compiler';
import { DurableFileWriter } from './durable-file-writer.js';
import { UsageReportBook, type UsageBookState } from './usage-report-book.js';

const JOURNAL_VERSION = 1;

interface JournalDocument extends UsageBookState {
  version: number;
}

function isUsageBookState(value: unknown): value is UsageBookState {
  const state = value as Partial<UsageBookState> | null;
  return (
    typeof state === 'object' &&
    state !== null &&
    typeof state.bootId === 'string' &&
    Number.isSafeInteger(state.nextSeq) &&
    Array.isArray(state.open) &&
    Array.isArray(state.pending) &&
    [...state.open, ...state.pending.flatMap((report) => (Array.isArray(report?.entries) ? report.entries : [undefined]))].every(
      (entry) =>
        typeof entry?.budgetId === 'string' &&
        !Number.isNaN(Date.parse(String(entry.periodStart))) &&
        /^\d+$/.test(String(entry.costNanos)) &&
        Number.isSafeInteger(entry.requests),
    ) &&
    state.pending.every((report) => Number.isSafeInteger(report.seq) && report.bootId === state.bootId)
  );
}

/**
 * The journal a previous run of this container left, or undefined. A journal that cannot be read
 * is moved aside (`<path>.unreadable-<time>`, kept for inspection) with an error logged: refusing
 * to start would keep the Pod from serving, and what it held can still be read by hand.
 */
function readUsageJournal(path: string, logger: Logger): UsageBookState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    logger.error('cannot read the usage journal; starting a new one', { usageJournal: path, error: (error as Error).message });
    return undefined;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if ((document as Partial<JournalDocument> | undefined)?.version === JOURNAL_VERSION && isUsageBookState(document)) return document;
  const aside = `${path}.unreadable-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch {
    // Left where it is; overwritten by the next write.
  }
  logger.error('the usage journal is not a Switchyard usage journal; moved aside, starting a new one', {
    usageJournal: path,
    movedTo: aside,
  });
  return undefined;
}

export interface UsageBookOptions {
  /** --usage-journal; without it the book lives in memory only. */
  journalPath?: string | undefined;
  bootId?: string | undefined;
  logger: Logger;
}

/** The ledger's usage report book, continued from the journal when there is one, and the journal's writer. */
export function openUsageReportBook(options: UsageBookOptions): { book: UsageReportBook; journal: DurableFileWriter | undefined } {
  if (options.journalPath === undefined) return { book: new UsageReportBook(options.bootId), journal: undefined };
  const path = options.journalPath;
  const restored = readUsageJournal(path, options.logger);
  const book = restored === undefined ? new UsageReportBook(options.bootId) : UsageReportBook.continueFrom(restored);
  if (restored !== undefined) {
    options.logger.info('usage journal found: continuing its book and resending what the operator has not acknowledged', {
      usageJournal: path,
      pendingReports: restored.pending.length,
      openBudgets: restored.open.length,
    });
  }
  const journal = new DurableFileWriter({
    path,
    render: () => `${JSON.stringify({ version: JOURNAL_VERSION, ...book.state() } satisfies JournalDocument)}\n`,
    logger: options.logger,
    what: 'usage journal',
    logField: 'usageJournal',
    flushDelayMs: 0,
  });
  book.onChange = () => journal.markDirty();
  return { book, journal };
}
