// Wraps the OTLP exporter so a collector that is down or refusing spans shows up as one clear,
// rate-limited log line naming the endpoint (never its credentials or headers), and a line
// when exports succeed again. Spans that fail are dropped; requests never notice.
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { Logger } from '@switchyard/compiler';

type SpanExporter = NodeSDKConfiguration['traceExporter'];
type ExportedSpans = Parameters<SpanExporter['export']>[0];
type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

// ExportResultCode.SUCCESS in @opentelemetry/core; written out so this module loads no SDK code.
const EXPORT_SUCCESS = 0;
const MAX_ERROR_CHARS = 200;

export interface ExportFailureLogOptions {
  endpoint: string;
  logger: Logger;
  /** At most one failure line per this many milliseconds (default 60 s). */
  intervalMs?: number;
  now?: () => number;
}

export class FailureLoggingSpanExporter implements SpanExporter {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private failedSinceLog = 0;
  private droppedSinceLog = 0;
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly options: ExportFailureLogOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  export(spans: ExportedSpans, resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === EXPORT_SUCCESS) this.succeeded();
      else this.failed(spans.length, result.error);
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private failed(spanCount: number, error: Error | undefined): void {
    this.failing = true;
    this.failedSinceLog += 1;
    this.droppedSinceLog += spanCount;
    const now = this.now();
    if (now - this.lastLoggedAt < this.intervalMs) return;
    this.options.logger.warn('trace export failed; spans dropped', {
      endpoint: this.options.endpoint,
      error: describe(error),
      failedExports: this.failedSinceLog,
      droppedSpans: this.droppedSinceLog,
      nextReportInSeconds: Math.round(this.intervalMs / 1000),
    });
    this.lastLoggedAt = now;
    this.failedSinceLog = 0;
    this.droppedSinceLog = 0;
  }

  private succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.logger.info('trace export recovered', {
      endpoint: this.options.endpoint,
      failedExportsSinceLastReport: this.failedSinceLog,
      droppedSpansSinceLastReport: this.droppedSinceLog,
    });
    this.failedSinceLog = 0;
    this.droppedSinceLog = 0;
    this.lastLoggedAt = Number.NEGATIVE_INFINITY;
  }
}

function describe(error: Error | undefined): string {
  if (error === undefined) return 'export failed';
  const code = (error as { code?: unknown }).code;
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`.replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}...` : text;
}
