import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled tests live in gateway/dist/test/support; the repository root is four levels up.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** A fixture file kept beside a wire codec: gateway/src/wire/<api>/__fixtures__/<name>. */
export function wireFixturePath(api: string, name: string): string {
  return join(repoRoot, 'gateway', 'src', 'wire', api, '__fixtures__', name);
}

/** A fixture file kept beside a provider adapter: gateway/src/providers/<provider>/__fixtures__/<name>. */
export function providerFixturePath(provider: string, name: string): string {
  return join(repoRoot, 'gateway', 'src', 'providers', provider, '__fixtures__', name);
}

export const switchyardBin = join(repoRoot, 'bin', 'switchyard.mjs');
