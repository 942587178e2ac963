// One clear line about invalid configuration: which file, which object, which field, and why.
// A pass that finds several problems reports them all in that one line (up to a bound), so a
// first try is not a loop of fix-one-rerun.

interface ConfigProblem {
  /** The file the object came from, as the caller named it. */
  file?: string;
  /** `ModelRoute default/gpt-4o` */
  object?: string;
  /** `spec.backends[1].weight` */
  field?: string;
  /** What is wrong, e.g. `must be >= 0`. */
  reason: string;
}

interface ConfigErrorDetails extends ConfigProblem {
  /** Further problems found in the same pass (the message names the first, then these). */
  more?: ConfigProblem[];
}

/** Problems spelled out in one message; the rest are counted. Keeps a log line readable. */
const MAX_LISTED_CONFIG_PROBLEMS = 20;

export class ConfigError extends Error {
  readonly file: string | undefined;
  readonly object: string | undefined;
  readonly field: string | undefined;
  readonly reason: string;
  /** Every problem of the pass, the first included, in order. */
  readonly problems: readonly ConfigProblem[];

  constructor(details: ConfigErrorDetails) {
    const { more = [], ...first } = details;
    const problems = [first, ...more];
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.file = details.file;
    this.object = details.object;
    this.field = details.field;
    this.reason = details.reason;
    this.problems = problems;
  }

  /** One error holding every problem of `errors`, in order (the first's parts are the error's parts). */
  static combine(errors: readonly ConfigError[]): ConfigError {
    if (errors.length === 1) return errors[0] as ConfigError;
    const [first, ...more] = errors.flatMap((error) => error.problems);
    if (!first) throw new Error('ConfigError.combine needs at least one error');
    return new ConfigError({ ...first, more });
  }
}

function singleLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * `file: object: field: reason`, then `(and N more problems: ...)` for the rest, where a problem
 * of the same file and object as the one before it drops those parts:
 * `r.yaml: ModelRoute default/a: spec.x: unknown field (and 1 more problem: spec.y: is required)`.
 */
function formatProblems(problems: readonly ConfigProblem[]): string {
  const [first, ...rest] = problems as [ConfigProblem, ...ConfigProblem[]];
  const head = singleLine([first.file, first.object, first.field, first.reason].filter(Boolean).join(': '));
  if (rest.length === 0) return head;
  const listed = rest.slice(0, MAX_LISTED_CONFIG_PROBLEMS - 1).map((problem, index) => {
    const previous = index === 0 ? first : (rest[index - 1] as ConfigProblem);
    const sameObject = problem.file === previous.file && problem.object === previous.object;
    const parts = sameObject ? [problem.field, problem.reason] : [problem.file, problem.object, problem.field, problem.reason];
    return singleLine(parts.filter(Boolean).join(': '));
  });
  const unlisted = rest.length - listed.length;
  const tail = unlisted > 0 ? `; ${unlisted} more not listed (at most ${MAX_LISTED_CONFIG_PROBLEMS} problems are)` : '';
  return `${head} (and ${rest.length} more problem${rest.length === 1 ? '' : 's'}: ${listed.join('; ')}${tail})`;
}
