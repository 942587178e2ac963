// Generated from crds/ and the kind registry by scripts/generate-crds.mjs: the TypeScript resource
// shapes, the chart's CRD copies, docs/reference.md and the switchyard.dev RBAC rules. A CRD or
// registry change without regenerating fails here, naming the stale files and the command.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from './support/manifests.js';

describe('generated files', () => {
  it('match a fresh generation from crds/ and the kind registry', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'generate-crds.mjs'), '--check'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(run.stderr || run.stdout);
    expect(run.stdout).toContain('generated files are up to date');
  });
});
