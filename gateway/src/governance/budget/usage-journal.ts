// Cluster mode's usage journal (--usage-journal): the usage report book on disk, rewritten
// (temporary file, then rename) synchronously on every settlement and acknowledgement, before
// the settlement returns, so a gateway container that is killed and restarted in the same Pod (the
// path is on an emptyDir) continues its book and resends what the operator has not acknowledged.
// The pipeline settles before the answer's last byte, so an answer the caller has in full is in
// the journal. No fsync: the file must outlive the process, not the node (an emptyDir does not
// outlive its node either), and a write to the page cache survives SIGKILL.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '@switchyard/compiler';
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

/** The ledger's usage report book, continued from the journal when there is one, and written to it on every change. */
export function openUsageReportBook(options: UsageBookOptions): UsageReportBook {
  if (options.journalPath === undefined) return new UsageReportBook(options.bootId);
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
  const temporary = join(dirname(path), `.${basename(path)}.tmp`);
  let failing = false;
  book.onChange = () => {
    try {
      writeFileSync(temporary, `${JSON.stringify({ version: JOURNAL_VERSION, ...book.state() } satisfies JournalDocument)}\n`, {
        mode: 0o600,
      });
      renameSync(temporary, path);
      if (failing) {
        failing = false;
        options.logger.info('usage journal writable again', { usageJournal: path });
      }
    } catch (error) {
      // The book stays in memory and the next change writes it again; said once per outage.
      if (!failing) {
        failing = true;
        options.logger.error('cannot write the usage journal; unacknowledged spend is kept in memory only until it can', {
          usageJournal: path,
          error: (error as Error).message,
        });
      }
    }
  };
  return book;
}
