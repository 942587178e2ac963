// The operator logs through the structured logger it shares with the gateway. Its lines go to
// stdout one write each, as they always have: the operator writes a few lines a minute, so
// batching would buy nothing and would hold a line back from a process killed without warning.
import { createLogger as createJsonLogger, type Logger, type LoggerOptions } from '@switchyard/compiler';

export { errorMessage, silentLogger, type Logger } from '@switchyard/compiler';

export function createLogger(options: LoggerOptions = {}): Logger {
  return createJsonLogger({ ...options, write: options.write ?? writeStdoutDirectly });
}

function writeStdoutDirectly(line: string): void {
  process.stdout.write(line);
}
