export {
  startFakeKubelet,
  isSwitchyardPod,
  renderPodKubeconfig,
  type FakeKubelet,
  type FakeKubeletOptions,
  type RunningPodInfo,
} from './fake-kubelet.js';
export { networkNamespacesWork, sweepPodNetwork, HOST_ADDRESS, NAME_PREFIX } from './pod-network.js';
export { expandVarRefs, rewriteMountPaths, resolveContainerPort, fieldRefValue } from './container-spec.js';
