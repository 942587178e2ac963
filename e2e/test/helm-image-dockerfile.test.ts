// The Dockerfile's registry build (node:24 base image) cannot run here, so it is linted: hadolint
// (installed from PyPI into .tools/ by the script) plus the project's own rules. The image itself
// is built from the same scripts and run by image-run.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCommand } from '../src/run-command.js';
import { REPO_ROOT } from './helm-chart-support.js';

const SCRIPT = join(REPO_ROOT, 'scripts', 'check-dockerfile.sh');

describe('Dockerfile lint (scripts/check-dockerfile.sh)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'switchyard-dockerfile-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes hadolint and the project rules', async () => {
    const result = await runCommand('bash', [SCRIPT], { timeoutMs: 300_000 });
    if (result.code !== 0) throw new Error(`check-dockerfile failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain('Haskell Dockerfile Linter');
    expect(result.stdout).toContain('Dockerfile OK');
  }, 300_000);

  it('fails a Dockerfile that runs as root, bakes in a secret and skips the build stage', async () => {
    const bad = join(scratch, 'Dockerfile');
    writeFileSync(
      bad,
      [
        'FROM node:24-slim',
        'ENV OPENAI_API_KEY=sk-test',
        'ADD . /app',
        'RUN npm install',
        'CMD ["node", "/app/bin/switchyard.mjs"]',
        '',
      ].join('\n'),
    );
    const result = await runCommand('bash', [SCRIPT, bad], { timeoutMs: 300_000 });
    expect(result.code).toBe(1);
    // hadolint's own findings ...
    expect(result.stdout).toMatch(/DL3020/); // ADD instead of COPY
    // ... and the project rules.
    expect(result.stderr).toContain('must be multi-stage');
    expect(result.stderr).toContain('runtime stage has no USER');
    expect(result.stderr).toContain('credentials must never be baked into a layer');
    expect(result.stderr).toContain('crds/ must be in the image');
  }, 300_000);
});
