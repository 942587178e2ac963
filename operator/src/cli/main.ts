// `switchyard operator`: start, serve, and on SIGTERM drain: stop serving tables (gateways
// reconnect to another replica), release the lease so a successor takes over at once, stop.
import { exitCommand, readCommandFlags } from '@switchyard/compiler';
import { createLogger, errorMessage } from '../observe/logger.js';
import { startOperator, StartupError, type RunningOperator } from '../run-operator.js';
import { OPERATOR_USAGE, parseOperatorFlags } from './operator-flags.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

/** Runs `switchyard operator <args>`; `args` excludes the subcommand. */
export async function main(args: string[]): Promise<void> {
  const flags = readCommandFlags('operator', OPERATOR_USAGE, () => parseOperatorFlags(args));
  if (flags === undefined) return;
  const logger = createLogger({ base: { component: 'operator', replica: flags.replicaId } });
  let operator: RunningOperator;
  try {
    operator = await startOperator(flags, { logger });
  } catch (error) {
    if (error instanceof StartupError) return fail(1, error.message);
    throw error;
  }
  process.on('uncaughtException', (error) => logger.error('uncaught exception', { error, stack: error.stack }));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting', { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    operator.close().then(
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

function fail(code: number, message: string): never {
  return exitCommand('operator', code, message);
}
