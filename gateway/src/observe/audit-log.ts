// The request audit log (`--audit-log`, `--audit-otlp`): one record per request, written to a
// JSON-lines file or stdout and/or exported as OTLP logs, off the request path. Each sink holds
// at most `--audit-buffer` records waiting for it; a sink that cannot keep up (a blocked pipe, a
// slow collector) loses the newest records beyond that, counted in
// switchyard_audit_records_dropped_total, and never slows a request. On shutdown the gateway
// drains its requests first and then flushes every sink (bounded by `--audit-flush-timeout`), so
// a clean stop loses nothing.
import { constants, createWriteStream, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Logger } from '@switchyard/compiler';
import { Counter, type Registry } from 'prom-client';
import { RateLimitedWarning } from './rate-limited-warning.js';

export const DEFAULT_AUDIT_BUFFER_RECORDS = 10_000;
export const DEFAULT_AUDIT_FLUSH_TIMEOUT_MS = 5_000;
/** Records per OTLP export request. */
const OTLP_BATCH_RECORDS = 512;
/** How long records wait for a fuller OTLP batch. */
const OTLP_EXPORT_DELAY_MS = 1_000;
/** One OTLP export request's deadline (OTEL_EXPORTER_OTLP_TIMEOUT's default). */
const OTLP_EXPORT_TIMEOUT_MS = 10_000;
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Who made the request: the virtual key for key callers; token identities where the caller presented one. */
export interface AuditIdentity {
  /** `VirtualKey`, or the kind of token the caller presented (`ServiceAccount`, `OIDC`). */
  kind: string;
  /** `<namespace>/<name>` of a key or ServiceAccount; the subject of an OIDC token. */
  name: string;
  /** The OIDC issuer, for OIDC identities. */
  issuer?: string;
}

/** One audit record. Never the caller's key, a credential, or (without the route's opt-in) prompt or answer text. */
export interface AuditRecord {
  /** RFC 3339, when the request finished. */
  time: string;
  requestId: string;
  /** `chat`, `embeddings`, `count-tokens`, `list-models`, `get-model`, `mcp`, `mcp-tool-call`... */
  operation: string;
  method: string;
  path: string;
  identity?: AuditIdentity;
  /** The VirtualKey `<namespace>/<name>`; absent when the caller was not authenticated. */
  key?: string;
  model?: string;
  route?: string;
  backend?: string;
  status: number;
  latencyMs: number;
  stream?: boolean;
  attempts?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: string;
  cache?: string;
  /** Guardrail decisions (policy, check, action, direction), never the matched text. */
  guardrails?: ReadonlyArray<Readonly<Record<string, string>>>;
  /** The error code of a refused or failed request. */
  error?: string;
  /** Prompt and answer text, redacted and bounded, only on routes with `spec.audit.includeContent`. */
  content?: { prompt?: string; answer?: string };
  /** MCP tool calls: the server and tool. */
  server?: string;
  tool?: string;
}

interface AuditSink {
  readonly name: string;
  /** Queues one record; false when the buffer is full and the record was dropped. */
  offer(record: AuditRecord): boolean;
  /** Writes or exports everything queued, within the deadline; resolves with how many records were lost. */
  flush(deadlineMs: number): Promise<number>;
}

export interface AuditLogOptions {
  /** `stdout`, or a file appended to. */
  file?: string;
  /** OTLP/HTTP JSON logs endpoint (`.../v1/logs`). */
  otlp?: { endpoint: string; headers: Record<string, string>; serviceName: string };
  bufferRecords: number;
  flushTimeoutMs: number;
  registry: Registry;
  logger: Logger;
}

export class AuditLog {
  private readonly sinks: AuditSink[] = [];
  private readonly written: Counter<'sink'>;
  private readonly dropped: Counter<'sink'>;
  private closed = false;

  constructor(private readonly options: AuditLogOptions) {
    this.written = new Counter({
      name: 'switchyard_audit_records_total',
      help: 'Audit records accepted for a sink (file, stdout or otlp).',
      labelNames: ['sink'],
      registers: [options.registry],
    });
    this.dropped = new Counter({
      name: 'switchyard_audit_records_dropped_total',
      help: 'Audit records lost: the sink could not keep up and its --audit-buffer was full, an OTLP export failed, or the flush at shutdown ran past --audit-flush-timeout.',
      labelNames: ['sink'],
      registers: [options.registry],
    });
    const onLost = (sink: string, count: number): void => this.dropped.inc({ sink }, count);
    if (options.file !== undefined) this.sinks.push(new JsonLinesSink(options.file, options.bufferRecords, options.logger, onLost));
    if (options.otlp !== undefined) this.sinks.push(new OtlpLogsSink(options.otlp, options.bufferRecords, options.logger, onLost));
    for (const sink of this.sinks) {
      this.written.inc({ sink: sink.name }, 0);
      this.dropped.inc({ sink: sink.name }, 0);
    }
  }

  record(record: AuditRecord): void {
    if (this.closed) return;
    for (const sink of this.sinks) {
      if (sink.offer(record)) this.written.inc({ sink: sink.name });
      else this.dropped.inc({ sink: sink.name });
    }
  }

  /** After the drain: writes out what every sink still holds, within --audit-flush-timeout. */
  async close(): Promise<void> {
    this.closed = true;
    const deadlineMs = Date.now() + this.options.flushTimeoutMs;
    const lost = await Promise.all(this.sinks.map(async (sink) => ({ sink: sink.name, lost: await sink.flush(deadlineMs) })));
    for (const { sink, lost: count } of lost) {
      if (count === 0) continue;
      this.dropped.inc({ sink }, count);
      this.options.logger.warn('audit records lost at shutdown', {
        sink,
        records: count,
        flushTimeoutMs: this.options.flushTimeoutMs,
        hint: 'the sink did not take them within --audit-flush-timeout',
      });
    }
  }
}

/** JSON lines to stdout or a file; the stream's backpressure decides how fast records leave the buffer. */
class JsonLinesSink implements AuditSink {
  readonly name: string;
  private readonly queue: string[] = [];
  private readonly stream: NodeJS.WritableStream;
  private waitingForDrain = false;
  /** Records handed to the stream whose write has not completed yet. */
  private inStream = 0;
  private readonly failed: RateLimitedWarning;

  constructor(
    file: string,
    private readonly capacity: number,
    logger: Logger,
    private readonly onLost: (sink: string, count: number) => void,
  ) {
    this.name = file === 'stdout' ? 'stdout' : 'file';
    this.failed = new RateLimitedWarning(logger, 'audit log write failed; records dropped', FAILURE_LOG_INTERVAL_MS);
    if (file === 'stdout') {
      this.stream = process.stdout;
    } else {
      const stream = openSinkStream(file);
      stream.on('error', (error) => {
        this.failed.report({ sink: this.name, path: file, error: error.message, records: this.queue.length + this.inStream });
        this.onLost(this.name, this.queue.length + this.inStream);
        this.queue.length = 0;
        this.inStream = 0;
      });
      this.stream = stream;
    }
  }

  offer(record: AuditRecord): boolean {
    if (this.queue.length >= this.capacity) return false;
    this.queue.push(`${JSON.stringify(record)}\n`);
    if (!this.waitingForDrain && this.queue.length === 1) queueMicrotask(() => this.pump());
    return true;
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.waitingForDrain) {
      // Many records per write call: one system call for a burst of requests.
      const lines = this.queue.splice(0, 256);
      this.inStream += lines.length;
      const accepted = this.stream.write(lines.join(''), () => {
        this.inStream = Math.max(0, this.inStream - lines.length);
      });
      if (!accepted) {
        this.waitingForDrain = true;
        this.stream.once('drain', () => {
          this.waitingForDrain = false;
          this.pump();
        });
      }
    }
  }

  async flush(deadlineMs: number): Promise<number> {
    this.pump();
    const written = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.queue.length === 0 && this.inStream === 0) resolve();
        else setTimeout(check, 10).unref();
      };
      check();
    });
    const timedOut = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadlineMs - Date.now())).unref());
    await Promise.race([written, timedOut]);
    // Unwritten records are lost when the process exits.
    return this.queue.length + this.inStream;
  }
}

/**
 * A file is appended to through fs; a named pipe (a log shipper's FIFO) is written as a
 * non-blocking socket instead. A blocking write to a pipe nobody reads would hold one of libuv's
 * threads forever, and with it the process's exit.
 */
function openSinkStream(path: string): NodeJS.WritableStream {
  let fifo = false;
  try {
    fifo = statSync(path).isFIFO();
  } catch {
    fifo = false;
  }
  if (!fifo) return createWriteStream(path, { flags: 'a' });
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(
      `--audit-log ${path}: cannot open the named pipe (${(error as NodeJS.ErrnoException).code === 'ENXIO' ? 'no reader has it open' : String(error)})`,
    );
  }
  return new Socket({ fd, readable: false, writable: true });
}

/**
 * OTLP/HTTP with the JSON encoding (the OTLP specification's `ExportLogsServiceRequest`), to the
 * endpoint traces use (`<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/logs` or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT).
 * One export in flight at a time, up to 512 records each; a failed export is not retried (its
 * records are counted as dropped).
 */
class OtlpLogsSink implements AuditSink {
  readonly name = 'otlp';
  private readonly queue: AuditRecord[] = [];
  private exporting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly failed: RateLimitedWarning;

  constructor(
    private readonly target: { endpoint: string; headers: Record<string, string>; serviceName: string },
    private readonly capacity: number,
    logger: Logger,
    private readonly onLost: (sink: string, count: number) => void,
  ) {
    this.failed = new RateLimitedWarning(logger, 'audit log export failed; records dropped', FAILURE_LOG_INTERVAL_MS);
  }

  offer(record: AuditRecord): boolean {
    if (this.queue.length >= this.capacity) return false;
    this.queue.push(record);
    if (this.queue.length >= OTLP_BATCH_RECORDS) this.exportSoon(0);
    else this.exportSoon(OTLP_EXPORT_DELAY_MS);
    return true;
  }

  private exportSoon(delayMs: number): void {
    if (this.exporting !== undefined) return;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exporting = this.exportAll(Number.POSITIVE_INFINITY).finally(() => {
        this.exporting = undefined;
        if (this.queue.length > 0) this.exportSoon(this.queue.length >= OTLP_BATCH_RECORDS ? 0 : OTLP_EXPORT_DELAY_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** Exports batch after batch until the queue is empty (or the deadline passes). */
  private async exportAll(deadlineMs: number): Promise<void> {
    while (this.queue.length > 0 && Date.now() < deadlineMs) {
      const batch = this.queue.splice(0, OTLP_BATCH_RECORDS);
      const timeoutMs = Math.min(OTLP_EXPORT_TIMEOUT_MS, Math.max(1, deadlineMs - Date.now()));
      try {
        const response = await fetch(this.target.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.target.headers },
          body: JSON.stringify(otlpLogsRequest(batch, this.target.serviceName)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        this.onLost(this.name, batch.length);
        this.failed.report({
          endpoint: this.target.endpoint,
          error: error instanceof Error ? error.message : String(error),
          records: batch.length,
        });
      }
    }
  }

  async flush(deadlineMs: number): Promise<number> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const remaining = (): number => Math.max(0, deadlineMs - Date.now());
    const within = <T>(work: Promise<T>): Promise<unknown> =>
      Promise.race([work, new Promise((resolve) => setTimeout(resolve, remaining()).unref())]);
    if (this.exporting !== undefined) await within(this.exporting);
    if (this.queue.length > 0 && remaining() > 0) await within(this.exportAll(deadlineMs));
    const lost = this.queue.length;
    this.queue.length = 0;
    return lost;
  }
}

type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function otlpValue(value: unknown): OtlpValue {
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (typeof value === 'string') return { stringValue: value };
  return { stringValue: JSON.stringify(value) };
}

/** One ExportLogsServiceRequest in the OTLP JSON encoding: each record a LogRecord whose attributes are its fields. */
function otlpLogsRequest(records: readonly AuditRecord[], serviceName: string): unknown {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeLogs: [
          {
            scope: { name: 'switchyard.audit' },
            logRecords: records.map((record) => {
              const nanos = `${BigInt(Date.parse(record.time)) * 1_000_000n}`;
              return {
                timeUnixNano: nanos,
                observedTimeUnixNano: nanos,
                severityNumber: record.status >= 500 ? 13 : 9,
                severityText: record.status >= 500 ? 'WARN' : 'INFO',
                eventName: 'switchyard.audit.request',
                body: { stringValue: `${record.operation} ${record.status}` },
                attributes: Object.entries(record)
                  .filter(([name, value]) => name !== 'time' && value !== undefined)
                  .map(([name, value]) => ({ key: name, value: otlpValue(value) })),
              };
            }),
          },
        ],
      },
    ],
  };
}
