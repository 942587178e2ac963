// `make chart-package`: the chart archive users install (docs/install.md). The archive must carry
// the versions of the one version source (package.json), the CRDs, and render exactly what the
// chart directory renders, since the tests and the journey exercise the directory.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { runCommand, type CommandResult } from '../src/run-command.js';
import { ALL_FEATURES, CHART_DIR, helm, helmPath, NAMESPACE, RELEASE, REPO_ROOT, skipNotice } from './helm-chart-support.js';

const describeWithHelm = helmPath() ? describe : describe.skip;
if (!helmPath()) skipNotice('chart package tests');

const chartYaml = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
const packageVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

// The generated CA and serving certificate differ on every render; with a TLS Secret of the
// user's own the chart renders deterministically, so two renders can be compared byte for byte.
const OWN_TLS = ['--set', 'tls.existingSecret=operator-cert', '--set', 'mcp.sessionSecret.existingSecret=mcp-session'];

function makeChartPackage(releaseDir: string, scratch: string, extra: string[] = []): Promise<CommandResult> {
  const home = join(scratch, 'helm-home');
  return runCommand('make', ['-s', '-C', REPO_ROOT, 'chart-package', `HELM=${helmPath()}`, `RELEASE_DIR=${releaseDir}`, ...extra], {
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
    timeoutMs: 120_000,
  });
}

describeWithHelm('make chart-package', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'switchyard-chart-package-'));
  const releaseDir = join(scratch, 'dist-release');
  const archive = join(releaseDir, `${chartYaml.name}-${chartYaml.version}.tgz`);
  beforeAll(async () => {
    const result = await makeChartPackage(releaseDir, scratch);
    if (result.code !== 0) throw new Error(`make chart-package failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes one archive named <chart>-<chart version>.tgz', () => {
    expect(readdirSync(releaseDir)).toEqual([`${chartYaml.name}-${chartYaml.version}.tgz`]);
  });

  it('carries the chart version and the package.json version as appVersion', async () => {
    const result = await helm(['show', 'chart', archive]);
    if (result.code !== 0) throw new Error(`helm show chart failed: ${result.stderr}`);
    const shown = parse(result.stdout) as { name: string; version: string; appVersion: string };
    expect(shown).toMatchObject({ name: chartYaml.name, version: chartYaml.version, appVersion: packageVersion });
  });

  it('holds the CRDs of crds/', async () => {
    const result = await helm(['show', 'crds', archive]);
    if (result.code !== 0) throw new Error(`helm show crds failed: ${result.stderr}`);
    const crdDir = join(REPO_ROOT, 'crds');
    for (const file of readdirSync(crdDir).filter((name) => name.endsWith('.yaml'))) {
      expect(result.stdout).toContain(
        readFileSync(join(crdDir, file), 'utf8')
          .replace(/^---\n/, '')
          .trim(),
      );
    }
  });

  it.each([
    ['default values', OWN_TLS],
    ['every optional feature on', [...ALL_FEATURES, ...OWN_TLS]],
  ])(
    'renders the same manifests as the chart directory with %s',
    async (_label, args) => {
      const render = async (chart: string): Promise<string> => {
        const result = await helm(['template', RELEASE, chart, '--namespace', NAMESPACE, ...args]);
        if (result.code !== 0) throw new Error(`helm template ${chart} failed: ${result.stderr}`);
        return result.stdout;
      };
      const fromDirectory = await render(CHART_DIR);
      expect(fromDirectory).toContain('kind: Deployment');
      expect(await render(archive)).toBe(fromDirectory);
    },
    60_000,
  );

  it('refuses a chart whose appVersion is not the package.json version, naming both', async () => {
    const chart = join(scratch, 'drifted', 'switchyard');
    cpSync(CHART_DIR, chart, { recursive: true });
    const text = readFileSync(join(chart, 'Chart.yaml'), 'utf8');
    writeFileSync(join(chart, 'Chart.yaml'), text.replace(/^appVersion:.*$/m, 'appVersion: "9.9.9"'));
    const out = join(scratch, 'drifted-out');
    const result = await makeChartPackage(out, scratch, [`CHART_DIR=${chart}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`appVersion 9.9.9 is not the package.json version ${packageVersion}`);
    expect(() => readdirSync(out)).toThrow();
  }, 60_000);
});
