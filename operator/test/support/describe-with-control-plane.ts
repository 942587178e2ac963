import { describe } from '@jest/globals';
import { locateControlPlaneBinaries } from '@switchyard/e2e';

const NEEDED = ['etcd', 'kube-apiserver', 'kubectl'];

/** `describe` when the control-plane binaries exist, else `describe.skip` with a message. */
export function describeWithControlPlane(name: string, body: () => void): void {
  const binaries = locateControlPlaneBinaries();
  const missing = binaries.missing.filter((binary) => NEEDED.includes(binary));
  if (missing.length > 0) {
    console.warn(`SKIPPED "${name}": ${missing.join(', ')} not built in ${binaries.binDir}; run \`make e2e-build\` first`);
    describe.skip(name, body);
  } else {
    describe(name, body);
  }
}
