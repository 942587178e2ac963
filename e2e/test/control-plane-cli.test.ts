import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateControlPlaneBinaries } from '../src/index.js';
import { isRunningBinary } from '../src/managed-process.js';
import { runCommand } from '../src/run-command.js';

const binaries = locateControlPlaneBinaries();
// This test runs without kube-controller-manager (faster); it needs only these.
const missing = binaries.missing.filter((name) => ['etcd', 'kube-apiserver', 'kubectl'].includes(name));
const describeWhenBuilt = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) {
  console.warn(`SKIPPED e2e-up/e2e-down tests: ${missing.join(', ')} not built in ${binaries.binDir}; run \`make e2e-build\` first`);
}

const cli = fileURLToPath(new URL('../src/control-plane-cli.js', import.meta.url));

describeWhenBuilt('control-plane CLI behind e2e-up / e2e-down (detached processes, pid files)', () => {
  let parent = '';
  let stateDir = '';
  const run = (command: string) =>
    runCommand(process.execPath, [cli, command], {
      env: { ...process.env, SWITCHYARD_E2E_DIR: stateDir, SWITCHYARD_E2E_CONTROLLER_MANAGER: '0' },
      timeoutMs: 240_000,
    });

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'switchyard-cli-test-'));
    stateDir = join(parent, 'state');
  });

  afterAll(async () => {
    await run('down');
    rmSync(parent, { recursive: true, force: true });
  }, 60_000);

  it('up prints exactly the two export lines, survives its own exit, is idempotent; down stops it all', async () => {
    const first = await run('up');
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toEqual([`export KUBECONFIG=${join(stateDir, 'kubeconfig')}`, `export PATH=${binaries.binDir}:$PATH`]);

    // The CLI has exited; the processes it started in their own process groups keep serving.
    const kubectlEnv = { ...process.env, KUBECONFIG: join(stateDir, 'kubeconfig'), KUBECACHEDIR: join(parent, 'kube-cache') };
    const namespaces = await runCommand(join(binaries.binDir, 'kubectl'), ['get', 'namespace', 'kube-system', '-o', 'name'], {
      env: kubectlEnv,
    });
    expect(namespaces.stdout.trim()).toBe('namespace/kube-system');

    const pids = ['etcd', 'kube-apiserver'].map((name) => ({
      name,
      pid: Number.parseInt(readFileSync(join(stateDir, 'pids', `${name}.pid`), 'utf8'), 10),
    }));
    for (const { name, pid } of pids) expect(isRunningBinary(pid, name)).toBe(true);

    const second = await run('up');
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/already running/);
    for (const { name, pid } of pids) expect(isRunningBinary(pid, name)).toBe(true);

    const down = await run('down');
    expect(down.code).toBe(0);
    for (const { name, pid } of pids) expect(isRunningBinary(pid, name)).toBe(false);
    expect(existsSync(stateDir)).toBe(false);

    const again = await run('down');
    expect(again.code).toBe(0);
  }, 300_000);
});
