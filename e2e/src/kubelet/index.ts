export {
  startFakeKubelet,
  type FakeKubelet,
} from './fake-kubelet.js';
export { networkNamespacesWork } from './pod-network.js';
export { expandVarRefs, rewriteMountPaths, resolveContainerPort, fieldRefValue } from './container-spec.js';
