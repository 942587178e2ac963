// The manifests of a standalone configuration: one file, or every *.yaml / *.yml below a
// directory, in sorted order. Dot entries are skipped, which also skips the `..data` and
// timestamped directories of a mounted ConfigMap (their files are reached through the symlinks).

import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigError } from '../config-error.js';
import type { ManifestFile, ManifestParseCache } from '../manifests/parse-manifest-files.js';

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

/**
 * How long after its last modification a file's stat identifies its content. File times are
 * coarse (a kernel tick on Linux, 2 s on FAT), so two writes in one tick can leave the same size
 * and times: a file read that soon after its last change is read again next time, as git treats
 * "racily clean" index entries.
 */
const SETTLED_MS = 3000;

/** The stat fields that change when a file's content does (a rename over it changes the inode). */
function stampOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

async function readManifestFile(file: string, cache: ManifestParseCache | undefined, now: () => number): Promise<ManifestFile> {
  if (cache === undefined) return { path: file, text: await readFile(file, 'utf8') };
  // Stat before reading: a write in between gives a new stat next time, so the file is read again.
  const startedMs = now();
  const info = await stat(file, { bigint: true });
  const stamp = stampOf(info);
  const earlier = cache.readUnder(file, stamp);
  if (earlier !== undefined) return earlier;
  const read: ManifestFile = { path: file, text: await readFile(file, 'utf8') };
  const changedMs = Math.max(Number(info.mtimeNs / 1_000_000n), Number(info.ctimeNs / 1_000_000n));
  if (changedMs < startedMs - SETTLED_MS) cache.rememberRead(stamp, read);
  else cache.forgetRead(file);
  return read;
}

/**
 * The manifest files of a configuration, read in order. With a cache (the one a watcher keeps), a
 * file whose stat has not changed since it was last read is not read again: the same ManifestFile
 * comes back, so its content hash and parse are reused too. `now` is for tests.
 */
export async function readConfigFiles(path: string, cache?: ManifestParseCache, now: () => number = Date.now): Promise<ManifestFile[]> {
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
      files.push(await readManifestFile(file, cache, now));
    } catch (error) {
      throw new ConfigError({ file, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    }
  }
  return files;
}

/** Each file's digest, by the ManifestFile (whose text never changes): a reused file is not hashed again. */
const fileDigests = new WeakMap<ManifestFile, string>();

function digestOf(file: ManifestFile): string {
  let digest = fileDigests.get(file);
  if (digest === undefined) {
    digest = createHash('sha256').update(file.text).digest('hex');
    fileDigests.set(file, digest);
  }
  return digest;
}

/** Identifies a configuration's content: file names and bytes, in order. */
export function contentHashOf(files: readonly ManifestFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.path).update('\0').update(digestOf(file)).update('\0');
  return hash.digest('hex');
}
