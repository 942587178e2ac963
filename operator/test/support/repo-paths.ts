import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled tests live in operator/dist/test/support; the repository root is four levels up.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const switchyardBin = join(repoRoot, 'bin', 'switchyard.mjs');
/** The CRDs under test; SWITCHYARD_TEST_CRD_DIR points at another copy (e.g. a candidate fix). */
export const crdDir = process.env.SWITCHYARD_TEST_CRD_DIR ?? join(repoRoot, 'crds');
export const rbacDir = join(repoRoot, 'operator', 'rbac');
