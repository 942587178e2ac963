import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Binaries the control plane needs; all come from e2e/scripts/build-control-plane.sh. */
export const CONTROL_PLANE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl', 'helm'] as const;

export type ControlPlaneBinary = (typeof CONTROL_PLANE_BINARIES)[number];

export interface PinnedVersions {
  k8sVersion: string;
  etcdVersion: string;
}

export interface ControlPlaneBinaries {
  binDir: string;
  versions: PinnedVersions;
  /** Binaries that are absent or not executable in binDir. */
  missing: ControlPlaneBinary[];
}

/** e2e/scripts/versions.env (this module runs from e2e/dist/src/). */
export function versionsFilePath(): string {
  return fileURLToPath(new URL('../../scripts/versions.env', import.meta.url));
}

export function parseVersionsFile(text: string): PinnedVersions {
  const values = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`versions.env: malformed line '${line}' (expected KEY=value)`);
    values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const k8sVersion = values.get('K8S_VERSION');
  const etcdVersion = values.get('ETCD_VERSION');
  if (!k8sVersion || !etcdVersion) throw new Error('versions.env: K8S_VERSION and ETCD_VERSION are required');
  return { k8sVersion, etcdVersion };
}

/**
 * Where the build script caches binaries. Overrides, strongest first:
 * SWITCHYARD_K8S_BIN_DIR (a directory holding all binaries), then
 * SWITCHYARD_CACHE / SWITCHYARD_K8S_VERSION as in the build script.
 */
export function locateControlPlaneBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const pinned = parseVersionsFile(readFileSync(versionsFilePath(), 'utf8'));
  const versions: PinnedVersions = {
    k8sVersion: env.SWITCHYARD_K8S_VERSION || pinned.k8sVersion,
    etcdVersion: env.SWITCHYARD_ETCD_VERSION || pinned.etcdVersion,
  };
  const cacheRoot = env.SWITCHYARD_CACHE || join(homedir(), '.cache', 'switchyard');
  const binDir = env.SWITCHYARD_K8S_BIN_DIR || join(cacheRoot, `k8s-${versions.k8sVersion}`, 'bin');
  const missing = CONTROL_PLANE_BINARIES.filter((name) => !isExecutable(join(binDir, name)));
  return { binDir, versions, missing };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
