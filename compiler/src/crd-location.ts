import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's crds/ directory, located from this compiled file (compiler/dist/src). */
export function defaultCrdDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'crds');
}
