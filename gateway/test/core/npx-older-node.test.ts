// `npx switchyard` on a machine whose Node is older than the gateway needs (Node 20): the bin
// re-execs under the Node 24 of the `node` dependency, and npm prints no EBADENGINE wall first.
// Runs `npm exec` of the system's older Node against this checkout, offline, with a private cache.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../support/repo-paths.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The first `node` on PATH (or /usr/bin) older than 22 with its npm beside it. */
function findOlderNode(): { node: string; npm: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const node = join(dir, 'node');
    const npm = join(dir, 'npm');
    if (!existsSync(node) || !existsSync(npm)) continue;
    const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    const major = Number(version.split('.')[0]);
    if (major > 0 && major < 22) return { node: realpathSync(node), npm };
  }
  return undefined;
}

const older = findOlderNode();

describe('npx switchyard on an older Node', () => {
  // Only machines with an older Node can show this; the development image has Node 20 in /usr/bin.
  (older === undefined ? it.skip : it)('prints the version with no EBADENGINE warnings', async () => {
    const { node, npm } = older as { node: string; npm: string };
    const work = await mkdtemp(join(tmpdir(), 'switchyard-npx-'));
    try {
      // The older Node first, and no directory that holds a newer one: what that user's shell has.
      const path = [dirname(node), ...(process.env.PATH ?? '').split(delimiter).filter((dir) => !existsSync(join(dir, 'node')))];
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
      const result = spawnSync(
        npm,
        ['exec', '--cache', join(work, 'cache'), '--offline', '--yes', `--package=${repoRoot}`, '--', 'switchyard', '--version'],
        { cwd: work, encoding: 'utf8', env: { ...env, PATH: path.join(delimiter) }, timeout: 60_000 },
      );
      expect(result.stderr).not.toContain('EBADENGINE');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^switchyard ${packageVersion.replaceAll('.', '\\.')} \\(node v2[2-9]`));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
