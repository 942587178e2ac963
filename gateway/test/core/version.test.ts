// One version, from the root package.json: `switchyard --version` (and -v, version), the
// gateway's "listening" line and switchyard_build_info on the admin port report it, and the
// chart's appVersion (which the default image tag follows) cannot drift from it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot, switchyardBin } from '../support/repo-paths.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, routeObject, testKey } from './core-fixtures.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [switchyardBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('switchyard version', () => {
  it.each([['--version'], ['-v'], ['version']])('`switchyard %s` prints the package version and the Node version, exit 0', async (arg) => {
    const result = await run([arg]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^switchyard ${packageVersion.replaceAll('.', '\\.')} \\(node ${process.version}[,)]`));
  });

  it('lists the version command in the usage', async () => {
    expect((await run(['--help'])).stdout).toMatch(/^ {2}version\b/m);
  });

  describe('in the running gateway', () => {
    let gateway: GatewayProcess;
    beforeAll(async () => {
      gateway = await startGateway({
        manifests: {
          'all.yaml': documents(
            ...keyObjects({ name: 'k', key: testKey('version') }),
            routeObject({ name: 'm', backends: [mockBackend('m')] }),
          ),
        },
      });
    });
    afterAll(async () => {
      await gateway?.stop();
    });

    it('puts the version on the listening line', () => {
      const listening = gateway
        .logs()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((record) => record.msg === 'listening');
      expect(listening).toMatchObject({ version: packageVersion, nodeVersion: process.version });
    });

    it('serves switchyard_build_info = 1 on the admin port', async () => {
      const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
      expect(metrics).toContain(
        `switchyard_build_info{version="${packageVersion}",node_version="${process.version}",component="gateway"} 1`,
      );
    });
  });

  it("keeps the chart's appVersion equal to package.json, and the default image tag following it", () => {
    const chart = readFileSync(join(repoRoot, 'charts', 'switchyard', 'Chart.yaml'), 'utf8');
    expect(/^appVersion:\s*"?([^"\s]+)"?\s*$/m.exec(chart)?.[1]).toBe(packageVersion);
    // An empty image.tag means "the appVersion"; a pinned default here would drift on the next release.
    const values = readFileSync(join(repoRoot, 'charts', 'switchyard', 'values.yaml'), 'utf8');
    expect(/^image:\n(?: {2}.*\n)*? {2}tag:\s*(\S*)\s*$/m.exec(values)?.[1]).toBe('""');
    const helpers = readFileSync(join(repoRoot, 'charts', 'switchyard', 'templates', '_helpers.tpl'), 'utf8');
    expect(helpers).toContain('default .Chart.AppVersion .Values.image.tag');
  });
});
