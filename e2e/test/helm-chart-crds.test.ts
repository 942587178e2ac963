// The chart ships the CRDs in its crds/ directory; they must stay byte-identical to the
// top-level crds/ (the single source of truth). charts/sync-crds.sh copies them.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCommand } from '../src/run-command.js';
import { CHART_DIR, REPO_ROOT } from './helm-chart-support.js';

const SOURCE_DIR = join(REPO_ROOT, 'crds');
const CHART_CRDS_DIR = join(CHART_DIR, 'crds');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

describe('helm chart CRDs', () => {
  it('holds exactly the CRDs of crds/, byte for byte', () => {
    const sources = yamlFiles(SOURCE_DIR);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    expect(yamlFiles(CHART_CRDS_DIR)).toEqual(sources);
    for (const name of sources) {
      const chartCopy = readFileSync(join(CHART_CRDS_DIR, name));
      const source = readFileSync(join(SOURCE_DIR, name));
      if (!chartCopy.equals(source))
        throw new Error(`charts/switchyard/crds/${name} differs from crds/${name}; run: bash charts/sync-crds.sh`);
    }
  });

  it('starts every CRD file with a document separator, so `helm show crds | kubectl apply -f -` sees each one', () => {
    // Helm 3 concatenates the files of crds/ without adding `---` (helm/helm#11261): without it the
    // CRDs merge into one YAML document and kubectl applies only the last.
    const missing = yamlFiles(SOURCE_DIR).filter((name) => !readFileSync(join(SOURCE_DIR, name), 'utf8').startsWith('---\n'));
    expect(missing).toEqual([]);
  });

  describe('charts/sync-crds.sh', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'switchyard-sync-crds-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    function scratchRepo(): string {
      const root = mkdtempSync(join(scratch, 'repo-'));
      mkdirSync(join(root, 'crds'));
      mkdirSync(join(root, 'charts', 'switchyard', 'crds'), { recursive: true });
      copyFileSync(join(REPO_ROOT, 'charts', 'sync-crds.sh'), join(root, 'charts', 'sync-crds.sh'));
      for (const name of yamlFiles(SOURCE_DIR)) {
        copyFileSync(join(SOURCE_DIR, name), join(root, 'crds', name));
        copyFileSync(join(SOURCE_DIR, name), join(root, 'charts', 'switchyard', 'crds', name));
      }
      return root;
    }

    it('reports drift with --check, then fixes it', async () => {
      const root = scratchRepo();
      const script = join(root, 'charts', 'sync-crds.sh');
      const [first] = yamlFiles(SOURCE_DIR);
      expect((await runCommand('bash', [script, '--check'])).code).toBe(0);
      writeFileSync(join(root, 'charts', 'switchyard', 'crds', first!), 'stale: true\n');
      writeFileSync(join(root, 'charts', 'switchyard', 'crds', 'removed.yaml'), 'kind: Gone\n');

      const check = await runCommand('bash', [script, '--check']);
      expect(check.code).toBe(1);
      expect(check.stderr.trim().split('\n')).toEqual([
        `chart CRD differs from crds/: charts/switchyard/crds/${first}`,
        'chart CRD has no source in crds/: charts/switchyard/crds/removed.yaml',
        'run: bash charts/sync-crds.sh',
      ]);

      const sync = await runCommand('bash', [script]);
      expect(sync.code).toBe(0);
      expect(yamlFiles(join(root, 'charts', 'switchyard', 'crds'))).toEqual(yamlFiles(SOURCE_DIR));
      expect((await runCommand('bash', [script, '--check'])).code).toBe(0);
    });
  });
});
