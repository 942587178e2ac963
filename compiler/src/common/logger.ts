// Structured logs, one line per event on stdout, for the gateway and the operator alike: a JSON
// object (the default off a terminal, for collectors) or a short human-readable line (`pretty`,
// the default on a terminal). Callers pass names and digests, never key material;
// `redactSecrets` is the last line of defence for free-form text, in both formats.
import { writeSync } from 'node:fs';
import { redactSecrets } from '../values/redact-secrets.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Default: $SWITCHYARD_LOG_LEVEL, else info. */
  level?: LogLevel;
  /** Default: json. */
  format?: LogFormat;
  /** Fields every line carries. */
  base?: Record<string, unknown>;
  /** Where finished lines go; default: stdout, batched (a write per 64 KiB or 20 ms). */
  write?: (line: string) => void;
}

// Lines are gathered and written together: at most `--log-flush-ms` (20 ms by default) after the first of a
// batch, or at once when the batch reaches FLUSH_AT_CHARS. Under load that is one write system
// call for a hundred requests or more (once per event-loop turn it was one for every ten or so,
// and each write of a file or pipe costs more than formatting the lines it carries). Whatever is
// pending at exit is written synchronously, so no line is lost on process.exit() or an uncaught
// error; the order of lines is the order they were logged in.
const FLUSH_AT_CHARS = 64 * 1024;
/** Longest a line waits in the batch by default; short enough that a reader tailing the output sees no lag. */
export const DEFAULT_LOG_FLUSH_MS = 20;
/** The most `--log-flush-ms` takes: longer batches would make a kill lose more lines. */
export const MAX_LOG_FLUSH_MS = 1000;
let logFlushDelayMs = DEFAULT_LOG_FLUSH_MS;

/**
 * How long a line may wait to be written with others (`--log-flush-ms`); 0 writes once per
 * event-loop turn, so a reader of the output (a test, a log shipper tailing a file) sees each
 * line as soon as the turn that logged it ends.
 */
export function setLogFlushDelayMs(ms: number): void {
  logFlushDelayMs = ms;
}
let pendingOutput = '';
/** Cancels the scheduled write of the batch; undefined when none is scheduled. */
let cancelFlush: (() => void) | undefined;

/**
 * Writes whatever lines are still batched, synchronously. A command that ends with a message on
 * stderr calls this first, so the log lines before the failure come before its message.
 */
export function flushLogOutput(): void {
  if (pendingOutput.length === 0) return;
  const output = pendingOutput;
  pendingOutput = '';
  writeNow(Buffer.from(output, 'utf8'));
}

/**
 * Writes `output` before returning when nothing is queued on process.stdout. A pipe whose reader
 * lags takes a large write only in part and process.stdout queues the rest; bytes written to the
 * descriptor directly would then land in the middle of it. Behind such a queue `output` joins the
 * queue instead: in order, though what a pipe has not taken when the process exits is lost, as
 * with anything Node writes to a pipe.
 */
function writeNow(output: Buffer): void {
  if (process.stdout.writableLength > 0) {
    process.stdout.write(output);
    return;
  }
  let offset = 0;
  while (offset < output.length) {
    try {
      offset += writeSync(1, output, offset);
    } catch (error) {
      // A full non-blocking pipe: the stream waits for its reader.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      process.stdout.write(output.subarray(offset));
      return;
    }
  }
}

function flushStdout(): void {
  if (cancelFlush !== undefined) {
    cancelFlush();
    cancelFlush = undefined;
  }
  if (pendingOutput.length === 0) return;
  const output = pendingOutput;
  pendingOutput = '';
  process.stdout.write(output);
}

function writeStdoutBatched(line: string): void {
  if (!exitHookInstalled) installExitHook();
  pendingOutput += line;
  if (pendingOutput.length >= FLUSH_AT_CHARS) flushStdout();
  else if (cancelFlush === undefined) {
    // Unreferenced: a batch never keeps the process alive; the exit hook writes what is left.
    if (logFlushDelayMs === 0) {
      const immediate = setImmediate(flushStdout);
      cancelFlush = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(flushStdout, logFlushDelayMs);
      timer.unref();
      cancelFlush = () => clearTimeout(timer);
    }
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  exitHookInstalled = true;
  process.on('exit', flushLogOutput);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVEL_ORDER[options.level ?? (process.env.SWITCHYARD_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? 20;
  const write = options.write ?? writeStdoutBatched;
  const base = options.base ?? {};
  const baseJson = plainBaseJson(base);
  const pretty = options.format === 'pretty';
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < threshold) return;
    const line = pretty ? prettyLine(level, msg, base, fields) : formatLine(level, msg, base, baseJson, fields);
    write(`${redactSecrets(line)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests, library defaults). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** The message of anything thrown (duck-typed: errors from another realm are not `instanceof Error`). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return String(error);
}

// The date and time up to the second are formatted once per second; each line adds its
// milliseconds. Same text as Date.prototype.toISOString for years 0000-9999.
let secondStartMs = -1;
let secondPrefix = '';
function isoTime(): string {
  const now = Date.now();
  const ms = now - secondStartMs;
  if (ms < 0 || ms >= 1000) {
    secondStartMs = now - (now % 1000);
    secondPrefix = new Date(secondStartMs).toISOString().slice(0, 20);
    return `${secondPrefix}${MILLIS[now - secondStartMs]}Z`;
  }
  return `${secondPrefix}${MILLIS[ms]}Z`;
}
const MILLIS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

const RESERVED_NAMES = new Set(['time', 'level', 'msg']);

/** `,"name":value...` for a base whose values need no replacer; undefined when the slow path must merge it. */
function plainBaseJson(base: Record<string, unknown>): string | undefined {
  for (const name in base) {
    if (RESERVED_NAMES.has(name) || needsReplacer(base[name])) return undefined;
  }
  const json = JSON.stringify(base);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/**
 * `{"time","level","msg",...base,...fields}` as one JSON line. The common case (fields that
 * neither repeat a base or reserved name nor hold an Error or bigint at the top) is one
 * JSON.stringify of the caller's own object appended to a prefix, with no merged copy.
 */
function formatLine(
  level: LogLevel,
  msg: string,
  base: Record<string, unknown>,
  baseJson: string | undefined,
  fields: Record<string, unknown> | undefined,
): string {
  if (baseJson === undefined || (fields !== undefined && !plainFields(fields, base))) {
    return serialize({ time: isoTime(), level, msg, ...base, ...fields });
  }
  const head = `{"time":"${isoTime()}","level":"${level}","msg":${JSON.stringify(msg)}${baseJson}`;
  if (fields === undefined) return `${head}}`;
  let body: string | undefined;
  try {
    body = JSON.stringify(fields) as string | undefined;
  } catch {
    return serialize({ time: isoTime(), level, msg, ...base, ...fields });
  }
  if (body === undefined || body.charCodeAt(0) !== 0x7b /* { */) return serialize({ time: isoTime(), level, msg, ...base, ...fields });
  return body.length === 2 ? `${head}}` : `${head},${body.slice(1)}`;
}

function plainFields(fields: Record<string, unknown>, base: Record<string, unknown>): boolean {
  if ('time' in fields || 'level' in fields || 'msg' in fields) return false;
  for (const name in base) if (name in fields) return false;
  for (const name in fields) {
    const value = fields[name];
    if (typeof value === 'object' ? value instanceof Error : typeof value === 'bigint') return false;
  }
  return true;
}

function needsReplacer(value: unknown): boolean {
  return value instanceof Error || typeof value === 'bigint';
}

/**
 * A replacer makes JSON.stringify several times slower, and one line per request is the common
 * case: the replacer is used only when a top-level value needs it (or a nested one throws).
 */
function serialize(record: Record<string, unknown>): string {
  for (const key in record) {
    if (needsReplacer(record[key])) return JSON.stringify(record, errorReplacer);
  }
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify(record, errorReplacer);
  }
}

/**
 * `04:05:06.789Z INFO  gateway listening host=127.0.0.1 port=8080`: time of day (UTC), level,
 * component, message, then the fields as name=value; strings with spaces or quotes and nested
 * objects as JSON, so a line can still be pasted into jq-minded tooling piece by piece.
 */
function prettyLine(level: LogLevel, msg: string, base: Record<string, unknown>, fields: Record<string, unknown> | undefined): string {
  const record: Record<string, unknown> = { ...base, ...fields };
  const component = typeof record.component === 'string' ? `${record.component} ` : '';
  let line = `${isoTime().slice(11)} ${level.toUpperCase().padEnd(5)} ${component}${msg}`;
  for (const name in record) {
    const value = record[name];
    if (value === undefined || (name === 'component' && component !== '')) continue;
    line += ` ${name}=${prettyValue(value)}`;
  }
  return line;
}

function prettyValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value, errorReplacer) ?? String(value);
  } catch {
    return String(value);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
