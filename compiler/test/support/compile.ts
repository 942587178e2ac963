import { compileRoutingTable, type CompileInput, type CompileResult, type ObjectDiagnostic } from '../../src/index.js';

const FIXED_CLOCK = () => new Date('2026-01-01T00:00:00Z');

/** compileRoutingTable with empty defaults for everything the test does not care about. */
export function compile(input: Partial<CompileInput>): CompileResult {
  return compileRoutingTable({
    routes: [],
    virtualKeys: [],
    budgets: [],
    secrets: [],
    sharedNamespaces: ['default'],
    version: 1,
    clock: FIXED_CLOCK,
    ...input,
  });
}

export function conditionOf(diagnostics: ObjectDiagnostic[], kind: string, id: string, type: string) {
  const diagnostic = diagnostics.find((d) => d.kind === kind && `${d.namespace}/${d.name}` === id);
  return diagnostic?.conditions.find((c) => c.type === type);
}
