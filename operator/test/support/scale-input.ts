// The compile-scale bench's cluster (bench/compile-scale.mjs buildInput), compiled with the real
// compiler at a small size, so table-stream tests diff and apply tables of the real shape.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileRoutingTable, routingTableJson, type CompileInput, type RoutingTable, type TableIndex } from '@switchyard/compiler';
import { repoRoot } from './repo-paths.js';

type ScaleInput = Pick<CompileInput, 'routes' | 'virtualKeys' | 'budgets' | 'secrets' | 'sharedNamespaces'>;

const { buildInput } = (await import(pathToFileURL(join(repoRoot, 'bench/compile-scale.mjs')).href)) as {
  buildInput(sizes: { routes: number; keys: number; budgets: number; namespaces: number }): ScaleInput;
};

export function scaleInput(sizes = { routes: 20, keys: 200, budgets: 12, namespaces: 3 }): ScaleInput {
  return buildInput(sizes);
}

/** A cold compile of `input`, with the compiler's index of the table and the table's JSON as the publisher sends it. */
export function compileScaleTable(input: ScaleInput, version: number): { table: RoutingTable; index: TableIndex; tableJson: string } {
  const result = compileRoutingTable({ ...input, version, clock: () => new Date(version * 1000) } as CompileInput);
  return { table: result.table, index: result.index, tableJson: routingTableJson(result.table) };
}
