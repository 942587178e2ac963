// One clear line about invalid configuration: which file, which object, which field, and why.

interface ConfigErrorDetails {
  /** The file the object came from, as the caller named it. */
  file?: string;
  /** `ModelRoute default/gpt-4o` */
  object?: string;
  /** `spec.backends[1].weight` */
  field?: string;
  /** What is wrong, e.g. `must be >= 0`. */
  reason: string;
  /** Further problems found in the same pass (the message names the first). */
  more?: string[];
}

export class ConfigError extends Error {
  readonly file: string | undefined;
  readonly object: string | undefined;
  readonly field: string | undefined;
  readonly reason: string;
  readonly more: string[];

  constructor(details: ConfigErrorDetails) {
    super(formatConfigError(details));
    this.name = 'ConfigError';
    this.file = details.file;
    this.object = details.object;
    this.field = details.field;
    this.reason = details.reason;
    this.more = details.more ?? [];
  }
}

function formatConfigError(details: ConfigErrorDetails): string {
  const parts = [details.file, details.object, details.field].filter((part): part is string => Boolean(part));
  const more = details.more?.length ? ` (and ${details.more.length} more problem${details.more.length === 1 ? '' : 's'})` : '';
  return [...parts, details.reason].join(': ').replace(/[\r\n]+/g, ' ') + more;
}
