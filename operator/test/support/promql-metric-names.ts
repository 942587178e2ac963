// Finds the metric names a PromQL expression reads, for the test that holds the shipped dashboard
// and alert rules to the metrics the processes really register. A small tokenizer, not a parser:
// label matchers ({...}), ranges ([...]), strings, numbers and Grafana variables ($x, ${x}) are
// skipped; an identifier is a function, an aggregation or a keyword by name, and a metric name
// otherwise. An unknown identifier followed by "(" is reported as an unknown function rather than
// guessed at, so a misspelled function fails as loudly as a misspelled metric.

const FUNCTIONS = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'cos',
  'cosh',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'deg',
  'delta',
  'deriv',
  'double_exponential_smoothing',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'mad_over_time',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rad',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sin',
  'sinh',
  'sort',
  'sort_by_label',
  'sort_by_label_desc',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'tan',
  'tanh',
  'time',
  'timestamp',
  'vector',
  'year',
]);
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
/** Keywords followed by a parenthesized list of label names, which are not metrics. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OTHER_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

export interface PromqlNames {
  metrics: string[];
  unknownFunctions: string[];
}

const isIdentStart = (c: string): boolean => /[A-Za-z_:]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_:]/.test(c);

/** Index just past the closing `close` that matches the `open` at `start`, skipping quoted strings. */
function skipBalanced(text: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
    i++;
  }
  throw new Error(`unbalanced ${open} at ${start} in: ${text}`);
}

function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' && quote !== '`' ? 2 : 1;
  if (i >= text.length) throw new Error(`unterminated string at ${start} in: ${text}`);
  return i + 1;
}

function nextNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

export function promqlNames(expr: string): PromqlNames {
  const metrics = new Set<string>();
  const unknownFunctions = new Set<string>();
  // Parentheses are not skipped as a block (they hold metrics), so their balance is kept here.
  let depth = 0;
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '{') {
      i = skipBalanced(expr, i, '{', '}');
    } else if (c === '[') {
      i = skipBalanced(expr, i, '[', ']');
    } else if (c === '$') {
      // Grafana variable: ${name} or $name.
      i = expr[i + 1] === '{' ? skipBalanced(expr, i + 1, '{', '}') : i + 1;
      while (i < expr.length && isIdentPart(expr[i] as string)) i++;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      // Numbers, 1e3, 0x1f and durations such as 5m.
      while (i < expr.length && /[0-9A-Za-z_.]/.test(expr[i] as string)) i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < expr.length && isIdentPart(expr[i] as string)) i++;
      const word = expr.slice(start, i);
      const after = nextNonSpace(expr, i);
      if (LABEL_LIST_KEYWORDS.has(word)) {
        if (expr[after] === '(') i = skipBalanced(expr, after, '(', ')');
      } else if (OTHER_KEYWORDS.has(word) || FUNCTIONS.has(word) || AGGREGATIONS.has(word)) {
        // not a metric
      } else if (expr[after] === '(') {
        unknownFunctions.add(word);
      } else {
        metrics.add(word);
      }
    } else {
      if (c === '(') depth++;
      else if (c === ')' && --depth < 0) throw new Error(`unbalanced ) at ${i} in: ${expr}`);
      else if (c === '}' || c === ']') throw new Error(`unbalanced ${c} at ${i} in: ${expr}`);
      i++;
    }
  }
  if (depth !== 0) throw new Error(`unbalanced ( in: ${expr}`);
  return { metrics: [...metrics].sort(), unknownFunctions: [...unknownFunctions].sort() };
}

/**
 * Grafana template variable queries: label_values(<selector>, <label>) reads the selector's
 * metric; label_values(<label>) reads none.
 */
export function grafanaVariableNames(query: string): PromqlNames {
  const match = /^\s*label_values\(\s*(.*?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  if (match) return promqlNames(match[1] as string);
  if (/^\s*label_values\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/.test(query)) return { metrics: [], unknownFunctions: [] };
  return promqlNames(query);
}

/** Type by name (counter, gauge, histogram, summary), from the `# TYPE` lines of an exposition. */
export function typesFromExposition(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match) types.set(match[1] as string, match[2] as string);
  }
  return types;
}

/**
 * Whether a name read by a query is exported: registered as is, or the _bucket, _sum or _count
 * series of a registered histogram (or _sum/_count of a summary).
 */
export function isExported(name: string, types: ReadonlyMap<string, string>): boolean {
  if (types.has(name)) return true;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const type = types.get(name.slice(0, -suffix.length));
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return true;
  }
  return false;
}
