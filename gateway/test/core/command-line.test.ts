// `switchyard gateway` start-up: bad flags exit 2; an invalid
// configuration exits non-zero with the reason; --help prints usage.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot, switchyardBin } from '../support/repo-paths.js';
import { startGateway, GatewayStartError } from '../support/gateway-process.js';
import { documents, mockBackend, routeObject } from './core-fixtures.js';

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

describe('switchyard command line', () => {
  it('prints usage for --help', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('gateway');
    const gateway = await run(['gateway', '--help']);
    expect(gateway.code).toBe(0);
    expect(gateway.stdout).toContain('--max-body-bytes');
  });

  it.each([
    [['gateway', '--config', 'x', '--port', 'eighty'], /--port must be a port number/],
    [['gateway', '--config', 'x', '--unknown-flag'], /Unknown option '--unknown-flag'/],
    [['gateway', '--config', 'x', '--deny-upstream-cidrs', '10.0.0.0/99'], /invalid CIDR "10.0.0.0\/99"/],
    [
      ['gateway', '--config', 'x', '--headers-timeout', '30s', '--request-timeout', '10s'],
      /--headers-timeout \(30000ms\) must not be longer/,
    ],
    [['gateway', '--config', 'x', '--request-timeout', '0s'], /--request-timeout: must be positive/],
    [['gateway', '--config', 'x', '--max-connections', '0'], /--max-connections must be a positive whole number/],
    [['gateway', '--config', 'x', '--max-response-bytes', '1e6'], /--max-response-bytes must be a positive whole number of bytes/],
    [['gateway'], /--config <file\|dir> is required/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('exits non-zero naming the problem when the configuration is invalid at start', async () => {
    const error = await startGateway({
      manifests: { 'bad.yaml': documents(routeObject({ name: 'r', backends: [{ ...mockBackend('m'), weight: -1 }] })) },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayStartError);
    const startError = error as GatewayStartError;
    expect(startError.exitCode).not.toBe(0);
    expect(startError.output).toMatch(/invalid configuration: .*bad\.yaml.*weight/);
  });

  it('exits non-zero when the configuration path does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
    try {
      await writeFile(join(dir, 'placeholder.txt'), '');
      const result = await run(['gateway', '--config', join(dir, 'missing'), '--port', '0', '--admin-port', '0']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/invalid configuration: .*missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
