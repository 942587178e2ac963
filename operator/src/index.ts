export { startOperator, StartupError, type RunningOperator, type StartOperatorDeps } from './run-operator.js';
export { parseOperatorFlags, OPERATOR_USAGE, type OperatorFlags } from './cli/operator-flags.js';
export { KubeClient, KubeApiError } from './kube/kube-client.js';
export { OperatorController } from './reconcile/operator-controller.js';
export { generateVirtualKey } from './reconcile/generate-virtual-key.js';
