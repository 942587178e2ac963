// The parsing machinery behind `switchyard gateway` and `switchyard operator` flags; each command
// keeps its own flag list, defaults and usage text. Every problem is a FlagError with one clear
// line naming the flag, which the command prints with its usage before exiting with code 2.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { parseDurationMs } from '../values/duration.js';
import { flushLogOutput, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';

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

/** The flags both commands take for their logs; add them to a command's parseArgs options. */
export const LOG_FLAG_OPTIONS = {
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
} as const;

/** The usage lines for LOG_FLAG_OPTIONS, aligned at `column`. */
export function logFlagsUsage(column: number): string {
  const flag = (text: string): string => `  ${text.padEnd(column - 2)} `;
  const indent = ' '.repeat(column + 1);
  return [
    `${flag('--log-level <level>')}${LOG_LEVELS.join(', ')} (default $SWITCHYARD_LOG_LEVEL, else info)`,
    `${flag('--log-format <format>')}json: one JSON object per line; pretty: one readable line per event`,
    `${indent}(default $SWITCHYARD_LOG_FORMAT, else pretty on a terminal and json otherwise)`,
  ].join('\n');
}

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

/**
 * The log level and format: the flag, else its environment variable, else info and (json, or
 * pretty on a terminal). An unknown value is a FlagError naming where it came from and what is
 * accepted: a typo must not quietly log at a level nobody asked for.
 */
export function logSettings(
  values: { 'log-level'?: string | undefined; 'log-format'?: string | undefined },
  env: NodeJS.ProcessEnv,
  stdoutIsTerminal: boolean,
): LogSettings {
  const level = oneOf(LOG_LEVELS, values['log-level'], '--log-level', env.SWITCHYARD_LOG_LEVEL, 'SWITCHYARD_LOG_LEVEL') ?? 'info';
  const format =
    oneOf(LOG_FORMATS, values['log-format'], '--log-format', env.SWITCHYARD_LOG_FORMAT, 'SWITCHYARD_LOG_FORMAT') ??
    (stdoutIsTerminal ? 'pretty' : 'json');
  return { level, format };
}

function oneOf<const T extends string>(
  accepted: readonly T[],
  flagValue: string | undefined,
  flagName: string,
  envValue: string | undefined,
  envName: string,
): T | undefined {
  const [source, text] = flagValue !== undefined ? [flagName, flagValue] : [envName, envValue];
  // An empty variable is the same as an unset one (`SWITCHYARD_LOG_LEVEL= switchyard ...`).
  if (text === undefined || (source === envName && text === '')) return undefined;
  if ((accepted as readonly string[]).includes(text)) return text as T;
  throw new FlagError(`${source} must be one of ${accepted.join(', ')}; got "${text}"`);
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
  // Log lines written before the failure come first, also when stdout and stderr share a terminal or file.
  flushLogOutput();
  process.stderr.write(`switchyard ${command}: ${message.trimEnd()}\n`);
  process.exit(code);
}
