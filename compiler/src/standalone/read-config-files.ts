// The manifests of a standalone configuration: one file, or every *.yaml / *.yml below a
// directory, in sorted order. Dot entries are skipped, which also skips the `..data` and
// timestamped directories of a mounted ConfigMap (their files are reached through the symlinks).

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigError } from '../config-error.js';
import type { ManifestFile } from '../manifests/parse-manifest-files.js';

const MANIFEST_FILE = /\.ya?ml$/i;

async function listManifestFiles(directory: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) found.push(...(await listManifestFiles(full)));
    else if (isFile && MANIFEST_FILE.test(entry.name)) found.push(full);
  }
  return found;
}

export async function readConfigFiles(path: string): Promise<ManifestFile[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new ConfigError({
      file: path,
      reason: `cannot read configuration: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    });
  }
  const paths = isDirectory
    ? (await listManifestFiles(path)).sort((a, b) => {
        const ra = relative(path, a);
        const rb = relative(path, b);
        return ra < rb ? -1 : ra > rb ? 1 : 0;
      })
    : [path];
  if (paths.length === 0) {
    throw new ConfigError({ file: path, reason: 'no *.yaml or *.yml files in the configuration directory' });
  }
  const files: ManifestFile[] = [];
  for (const file of paths) {
    try {
      files.push({ path: file, text: await readFile(file, 'utf8') });
    } catch (error) {
      throw new ConfigError({ file, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    }
  }
  return files;
}

/** Identifies a configuration's content: file names and bytes, in order. */
export function contentHashOf(files: readonly ManifestFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.path).update('\0').update(file.text).update('\0');
  return hash.digest('hex');
}
