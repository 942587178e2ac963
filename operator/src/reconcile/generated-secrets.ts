// The Secrets the operator creates: for an object whose kind generates one (a VirtualKey's key)
// and whose Secret is missing, a Secret with a fresh random key, owned by the object so the
// garbage collector deletes it with it.
import type { KindDefinition } from '@switchyard/compiler';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import { resourcePath, SECRETS } from '../kube/resources.js';
import type { Logger } from '../observe/logger.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import type { ResourceCache } from '../watch/resource-cache.js';
import type { EventRecorder } from './event-recorder.js';
import { generateVirtualKey } from './generate-virtual-key.js';
import type { CrObject, SecretObject } from './kind-watches.js';

/** Labels on the Secrets the operator generates: how it (and RBAC docs) tell them apart. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'switchyard-operator';

export interface GeneratedSecretsOptions {
  client: KubeClient;
  secrets: ResourceCache<SecretObject>;
  events: EventRecorder;
  logger: Logger;
  metrics?: OperatorMetrics;
}

/** Creates the object's Secret when its kind generates one and it does not exist yet. */
export async function ensureGeneratedSecret(kind: KindDefinition, object: CrObject, options: GeneratedSecretsOptions): Promise<void> {
  const wanted = kind.generatedSecret?.(object);
  if (!wanted) return;
  const namespace = object.metadata.namespace ?? '';
  if (options.secrets.get(namespace, wanted.name)) return;
  if (!object.metadata.uid) throw new Error(`${kind.kind} ${namespace}/${object.metadata.name} has no uid`);
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: wanted.name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [wanted.ownerLabel]: object.metadata.name },
      ownerReferences: [
        { apiVersion: object.apiVersion, kind: kind.kind, name: object.metadata.name, uid: object.metadata.uid, controller: true },
      ],
    },
    type: 'Opaque',
    data: { [wanted.entry]: Buffer.from(generateVirtualKey(), 'utf8').toString('base64') },
  };
  try {
    await options.client.create(resourcePath(SECRETS, namespace), secret);
  } catch (error) {
    if (error instanceof KubeApiError && error.conflict) return; // created meanwhile; the watch brings it
    throw error;
  }
  options.metrics?.secretsCreated.inc();
  const owner = kind.kind.charAt(0).toLowerCase() + kind.kind.slice(1);
  options.logger.info('generated a key Secret', { [owner]: `${namespace}/${object.metadata.name}`, secret: `${namespace}/${wanted.name}` });
  options.events.record(object, 'Normal', 'KeyGenerated', `created Secret ${wanted.name} with a new random key`);
}
