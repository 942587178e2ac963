// The parsing machinery behind `switchyard gateway` and `switchyard operator` flags; each command
// keeps its own flag list, defaults and usage text. Every problem is a FlagError with one clear
// line naming the flag, which the command prints with its usage before exiting with code 2.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { parseDurationMs } from '../values/duration.js';

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** Strict parsing: an unknown flag, a missing value or a positional argument is a FlagError. */
export function parseFlagValues<const Options extends ParseArgsOptionsConfig>(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new FlagError(error instanceof Error ? error.message : String(error));
  }
}

/** A port number 0-65535 (0: the system picks one); `fallback` when the flag is absent. */
export function portFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) throw new FlagError(`--${name} must be a port number 0-65535, got "${text}"`);
  return value;
}

/** A duration such as 250ms, 15s or 10m in milliseconds; `fallback` (same syntax) when the flag is absent. */
export function durationFlag(name: string, text: string | undefined, fallback: string, options: { positive?: boolean } = {}): number {
  try {
    const ms = parseDurationMs(text ?? fallback);
    if (options.positive === true && ms <= 0) throw new Error('must be positive');
    return ms;
  } catch (error) {
    throw new FlagError(`--${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Flags that mean something only beside `anchor`: any of `names` given without it is a FlagError. */
export function rejectUnanchoredFlags(values: Readonly<Record<string, unknown>>, names: readonly string[], anchor: string): void {
  if (values[anchor] !== undefined) return;
  const stray = names.filter((name) => values[name] !== undefined);
  if (stray.length > 0) throw new FlagError(`${stray.map((name) => `--${name}`).join(', ')} only apply with --${anchor}`);
}

/**
 * The flags `parse` reads, or undefined once --help has printed the usage. A FlagError ends the
 * command: its line and the usage on stderr, exit code 2.
 */
export function readCommandFlags<Flags extends { help: boolean }>(command: string, usage: string, parse: () => Flags): Flags | undefined {
  let flags: Flags;
  try {
    flags = parse();
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return exitCommand(command, 2, `${error.message}\n\n${usage}`);
  }
  if (flags.help) {
    process.stdout.write(usage);
    return undefined;
  }
  return flags;
}

/** Ends `switchyard <command>` with one message on stderr and the exit code. */
export function exitCommand(command: string, code: number, message: string): never {
  process.stderr.write(`switchyard ${command}: ${message.trimEnd()}\n`);
  process.exit(code);
}
