#!/usr/bin/env node
// Checks the import graph against the layering in docs/architecture.md: no import cycles in any
// package, packages depend only on the shared compiler package, and inside the gateway no import
// runs up the layers or sideways between siblings unless ALLOWED below names it with a reason.
// Runs in `make lint` (and so in `make test`). Usage: node scripts/check-architecture.mjs [root]
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..'));
const PACKAGES = ['compiler', 'gateway', 'operator', 'e2e'];
/** Which workspace packages each package may import. */
const PACKAGE_DEPENDENCIES = {
  compiler: [],
  gateway: ['compiler'],
  operator: ['compiler'],
  e2e: ['compiler', 'gateway', 'operator'],
};

// Gateway layers, bottom to top: a module may import its own folder, any lower layer, and the
// siblings its layer lists as open. docs/architecture.md explains each layer.
const GATEWAY_LAYERS = [
  { dirs: ['errors', 'unified', 'common'], siblingsOpen: true },
  { dirs: ['wire'], siblingsOpen: true },
  { dirs: ['transport', 'observe', 'redis'], siblingsOpen: true },
  { dirs: ['providers', 'frontdoors', 'mcp'], siblingsOpen: false },
  { dirs: ['table'], siblingsOpen: false },
  { dirs: ['governance', 'cache'], siblingsOpen: false },
  { dirs: ['pipeline'], siblingsOpen: false },
  { dirs: ['server', 'control-plane'], siblingsOpen: true },
  { dirs: ['cli', 'index.ts'], siblingsOpen: true },
];

/**
 * Imports that break the layering on purpose: `from` and `to` are paths under gateway/src (a file
 * or a folder prefix). Each needs its reason here and in docs/architecture.md.
 */
const ALLOWED = [];

const layerOfDir = new Map();
GATEWAY_LAYERS.forEach((layer, index) => {
  for (const dir of layer.dirs) layerOfDir.set(dir, index);
});

function listSources(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveRelative(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

const files = PACKAGES.flatMap((pkg) => [join(root, pkg, 'src'), join(root, pkg, 'test')].flatMap(listSources));
const graph = new Map();
const problems = [];

function packageOf(file) {
  return relative(root, file).split('/')[0];
}

for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const targets = [];
  // Tests may drive any package (the operator's tests run the real gateway client); only
  // cycles are checked for them.
  const isTest = relative(root, file).split('/')[1] === 'test';
  for (const { fileName } of info.importedFiles) {
    const fromPkg = packageOf(file);
    const workspace = /^@switchyard\/([a-z0-9-]+)/.exec(fileName);
    if (workspace !== null) {
      if (!isTest && workspace[1] !== fromPkg && !PACKAGE_DEPENDENCIES[fromPkg]?.includes(workspace[1])) {
        problems.push(`${relative(root, file)}: package ${fromPkg} must not import @switchyard/${workspace[1]}`);
      }
      continue;
    }
    if (!fileName.startsWith('.')) continue;
    const target = resolveRelative(file, fileName);
    if (target === undefined) continue;
    const toPkg = packageOf(target);
    if (toPkg !== fromPkg) {
      if (isTest) continue;
      problems.push(`${relative(root, file)}: reaches into package ${toPkg} by a relative path (${fileName}); import @switchyard/${toPkg}`);
      continue;
    }
    targets.push(target);
  }
  graph.set(file, targets);
}

// Layering inside gateway/src.
const gatewaySrc = join(root, 'gateway', 'src');
function gatewayDir(file) {
  const rel = relative(gatewaySrc, file);
  if (rel.startsWith('..')) return undefined;
  return rel.split('/')[0];
}
function allowed(fromRel, toRel) {
  return ALLOWED.some((entry) => fromRel.startsWith(entry.from) && toRel.startsWith(entry.to));
}
const unknownLayers = new Set();
for (const [file, targets] of graph) {
  const fromDir = gatewayDir(file);
  if (fromDir === undefined) continue;
  const fromLayer = layerOfDir.get(fromDir);
  if (fromLayer === undefined) {
    if (!unknownLayers.has(fromDir))
      problems.push(`gateway/src/${fromDir}: not a known layer (add it to check-architecture.mjs and docs/architecture.md)`);
    unknownLayers.add(fromDir);
    continue;
  }
  for (const target of targets) {
    const toDir = gatewayDir(target);
    if (toDir === undefined || toDir === fromDir) continue;
    const toLayer = layerOfDir.get(toDir);
    const fromRel = relative(gatewaySrc, file);
    const toRel = relative(gatewaySrc, target);
    if (allowed(fromRel, toRel)) continue;
    if (toLayer === undefined) continue; // reported once as an unknown layer
    if (toLayer > fromLayer) problems.push(`gateway/src/${fromRel} imports up the layers: ${toRel}`);
    else if (toLayer === fromLayer && !GATEWAY_LAYERS[fromLayer].siblingsOpen) {
      problems.push(`gateway/src/${fromRel} imports its sibling layer: ${toRel}`);
    }
  }
}
// Providers and front doors are leaves: one provider never imports another provider's folder
// (shared translation lives in wire/), nor does a front door import another front door.
for (const [file, targets] of graph) {
  const rel = relative(gatewaySrc, file).split('/');
  if (rel[0] !== 'providers' && rel[0] !== 'frontdoors') continue;
  if (rel.length < 3) continue;
  for (const target of targets) {
    const toRel = relative(gatewaySrc, target).split('/');
    if (toRel[0] === rel[0] && toRel.length >= 3 && toRel[1] !== rel[1]) {
      if (allowed(rel.join('/'), toRel.join('/'))) continue;
      problems.push(
        `gateway/src/${rel.join('/')} imports another ${rel[0] === 'providers' ? 'provider' : 'front door'}: ${toRel.join('/')}`,
      );
    }
  }
}

// Cycles (Tarjan's strongly connected components over every file of every package).
let index = 0;
const indexOf = new Map();
const lowLink = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function strongConnect(node) {
  // Iterative, so a deep import chain cannot overflow the stack.
  const work = [{ node, next: 0 }];
  indexOf.set(node, index);
  lowLink.set(node, index);
  index += 1;
  stack.push(node);
  onStack.add(node);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const targets = graph.get(frame.node) ?? [];
    if (frame.next < targets.length) {
      const target = targets[frame.next++];
      if (!indexOf.has(target)) {
        indexOf.set(target, index);
        lowLink.set(target, index);
        index += 1;
        stack.push(target);
        onStack.add(target);
        work.push({ node: target, next: 0 });
      } else if (onStack.has(target)) {
        lowLink.set(frame.node, Math.min(lowLink.get(frame.node), indexOf.get(target)));
      }
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1].node;
      lowLink.set(parent, Math.min(lowLink.get(parent), lowLink.get(frame.node)));
    }
    if (lowLink.get(frame.node) === indexOf.get(frame.node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1) cycles.push(component);
    }
  }
}
for (const file of graph.keys()) if (!indexOf.has(file)) strongConnect(file);
for (const cycle of cycles) {
  problems.push(
    `import cycle: ${cycle
      .map((file) => relative(root, file))
      .sort()
      .join(' <-> ')}`,
  );
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`check-architecture: ${problems.length} problem(s); the layering is described in docs/architecture.md`);
  process.exit(1);
}
console.log(`check-architecture: ${graph.size} files, no cycles, no imports against the layers`);
