// Output formats: aligned tables for people (kubectl's look: upper-case headers, columns two
// spaces apart), JSON and YAML for scripts. The YAML writer covers what JSON.parse can produce,
// which is all the commands print; strings are double-quoted JSON strings (valid YAML scalars),
// so no value can be misread as a number, a boolean or a key.
import { PluginError } from './plugin-error.js';

/** Where a command writes: data on stdout, notes for people on stderr. */
export interface CommandOutput {
  write(text: string): void;
  /** A line for people on stderr (warnings, "nothing found"). */
  error(line: string): void;
}

const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw new PluginError(`-o/--output must be one of ${OUTPUT_FORMATS.join(', ')}; got "${text}"`, 2);
}

export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('   ')
      .trimEnd();
  return `${[line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n')}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function renderData(format: 'json' | 'yaml', data: unknown): string {
  const plain = JSON.parse(JSON.stringify(data)) as Json;
  return format === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : `${yamlLines(plain, 0).join('\n')}\n`;
}

function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(key) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(key) ? key : JSON.stringify(key);
}

function yamlScalar(value: null | boolean | number | string): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isEmptyCollection(value: Json): boolean {
  return Array.isArray(value) ? value.length === 0 : value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

function yamlLines(value: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (value === null || typeof value !== 'object') return [`${pad}${yamlScalar(value)}`];
  if (isEmptyCollection(value)) return [`${pad}${Array.isArray(value) ? '[]' : '{}'}`];
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !isEmptyCollection(item)) {
        // "- " then the item's first line; the rest of its lines indented under it.
        const [first, ...rest] = yamlLines(item, indent + 2);
        out.push(`${pad}- ${(first ?? '').trimStart()}`, ...rest);
      } else {
        out.push(`${pad}- ${yamlLines(item, 0)[0]}`);
      }
    }
    return out;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object' && !isEmptyCollection(item)) {
      out.push(`${pad}${yamlKey(key)}:`, ...yamlLines(item, Array.isArray(item) ? indent : indent + 2));
    } else {
      out.push(`${pad}${yamlKey(key)}: ${yamlLines(item, 0)[0]}`);
    }
  }
  return out;
}
