// SIGTERM and SIGINT, the same for both commands: the first starts an orderly shutdown (drain,
// flush, close) and exits 0 when it finishes or 1 when it fails; a second signal exits at once,
// for an operator who does not want to wait.
import { errorMessage, type Logger } from './logger.js';

export interface StopSignalOptions {
  logger: Logger;
  /** Everything the program does to stop; exit follows when it settles. */
  shutdown(): Promise<unknown>;
  /** Fields for the "shutting down" line (what is still in flight, the grace period). */
  describe?(): Record<string, unknown>;
  /** Exit 1 if the shutdown has not settled by then. */
  deadlineMs?: number;
}

export function exitOnStopSignals(options: StopSignalOptions): void {
  const { logger } = options;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal, ...options.describe?.() });
    if (options.deadlineMs !== undefined) {
      const deadlineMs = options.deadlineMs;
      setTimeout(() => {
        logger.error('shutdown took too long; exiting', { deadlineMs });
        process.exit(1);
      }, deadlineMs).unref();
    }
    options.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
