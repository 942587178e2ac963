// `node e2e/dist/src/control-plane-cli.js up|down`: the entry point behind e2e-up.sh and e2e-down.sh.
// `up` prints exactly two lines on stdout (for `eval "$(make -s e2e-up)"`); everything else goes to stderr.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { apiRequest } from './api-request.js';
import { readRunningControlPlane, startControlPlane, stopControlPlaneAt, type ControlPlaneState } from './control-plane.js';

const DEFAULT_STATE_DIR = '/tmp/switchyard-e2e';

function log(line: string): void {
  process.stderr.write(`e2e: ${line}\n`);
}

function printExports(state: { kubeconfigPath: string; binDir: string }): void {
  process.stdout.write(`export KUBECONFIG=${state.kubeconfigPath}\nexport PATH=${state.binDir}:$PATH\n`);
}

async function isReady(state: ControlPlaneState): Promise<boolean> {
  const kubeconfig = JSON.parse(readFileSync(state.kubeconfigPath, 'utf8')) as { users?: { user?: { token?: unknown } }[] };
  const token = kubeconfig.users?.[0]?.user?.token;
  if (typeof token !== 'string') return false;
  const res = await apiRequest(
    { server: state.server, token, ca: readFileSync(state.caFile, 'utf8') },
    'GET',
    '/readyz',
    undefined,
    5_000,
  ).catch(() => undefined);
  return res?.status === 200;
}

async function up(stateDir: string, controllerManager: boolean): Promise<void> {
  const running = readRunningControlPlane(stateDir);
  if (running && running.controllerManager === controllerManager && (await isReady(running))) {
    log(`already running at ${running.server} (state ${stateDir})`);
    printExports(running);
    return;
  }
  if (running) log('a previous instance is running with other settings or not ready; replacing it');
  const started = Date.now();
  const plane = await startControlPlane({ stateDir, controllerManager, detached: true, log });
  log(`control plane ready at ${plane.server} in ${((Date.now() - started) / 1000).toFixed(1)}s; stop it with \`make e2e-down\``);
  printExports({ kubeconfigPath: plane.kubeconfigPath, binDir: plane.binDir });
}

async function down(stateDir: string): Promise<void> {
  const stopped = await stopControlPlaneAt(stateDir);
  log(stopped.length > 0 ? `stopped ${stopped.join(', ')}; removed ${stateDir}` : `nothing running; removed ${stateDir} if it existed`);
}

async function main(argv: string[]): Promise<number> {
  const stateDir = process.env.SWITCHYARD_E2E_DIR || DEFAULT_STATE_DIR;
  if (dirname(stateDir) === stateDir) throw new Error(`SWITCHYARD_E2E_DIR must not be a filesystem root (got '${stateDir}')`);
  const controllerManager = process.env.SWITCHYARD_E2E_CONTROLLER_MANAGER !== '0';
  switch (argv[0]) {
    case 'up':
      await up(stateDir, controllerManager);
      return 0;
    case 'down':
      await down(stateDir);
      return 0;
    default:
      log('usage: control-plane-cli.js up|down (state dir: $SWITCHYARD_E2E_DIR, default /tmp/switchyard-e2e)');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
