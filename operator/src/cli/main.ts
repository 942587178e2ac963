// `switchyard operator`: start, serve, and on SIGTERM drain: stop serving tables (gateways
// reconnect to another replica), release the lease so a successor takes over at once, stop.
import { exitCommand, exitOnStopSignals, readCommandFlags } from '@switchyard/compiler';
import { createLogger } from '../observe/logger.js';
import { startOperator, StartupError, type RunningOperator } from '../run-operator.js';
import { OPERATOR_USAGE, parseOperatorFlags } from './operator-flags.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

/** Runs `switchyard operator <args>`; `args` excludes the subcommand. */
export async function main(args: string[]): Promise<void> {
  const flags = readCommandFlags('operator', OPERATOR_USAGE, () => parseOperatorFlags(args));
  if (flags === undefined) return;
  const logger = createLogger({
    level: flags.log.level,
    format: flags.log.format,
    base: { component: 'operator', replica: flags.replicaId },
  });
  let operator: RunningOperator;
  try {
    operator = await startOperator(flags, { logger });
  } catch (error) {
    if (error instanceof StartupError) return fail(1, error.message);
    throw error;
  }
  process.on('uncaughtException', (error) => logger.error('uncaught exception', { error, stack: error.stack }));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));

  exitOnStopSignals({ logger, deadlineMs: SHUTDOWN_DEADLINE_MS, shutdown: () => operator.close() });
}

function fail(code: number, message: string): never {
  return exitCommand('operator', code, message);
}
