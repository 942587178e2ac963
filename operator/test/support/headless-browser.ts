// The console's browser tests drive Debian's chromium with playwright-core; without it (or a tool
// a test also needs) they skip, saying what is missing.
import { execFileSync } from 'node:child_process';
import { describe } from '@jest/globals';
import { describeWithControlPlane } from './describe-with-control-plane.js';

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

/** The browser's executable, when installed. */
export const chromiumPath = findChromium();

/** describeWithControlPlane when chromium (and `alsoNeeded`, when given) are there; a skip naming what is missing otherwise. */
export function describeWithBrowser(alsoNeeded?: { present: boolean; name: string }): (name: string, body: () => void) => void {
  if (chromiumPath !== undefined && (alsoNeeded === undefined || alsoNeeded.present)) return describeWithControlPlane;
  const missing = chromiumPath === undefined ? 'chromium' : (alsoNeeded?.name ?? '');
  return (name, body) => {
    console.warn(`SKIPPED "${name}": ${missing} is not installed (scripts/test.sh installs Debian's chromium when run as root)`);
    describe.skip(name, body);
  };
}
