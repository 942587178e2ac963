// core/v1 Events on our objects, so `kubectl describe` tells the story. Messages come from the
// compiler's diagnostics and the operator's own text; neither ever holds key material.
import type { KubeClient } from '../kube/kube-client.js';
import { EVENTS, resourcePath, type KubeObject } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: Pick<KubeClient, 'create'>;
  replicaId: string;
  logger?: Logger;
  now?: () => Date;
}

const MAX_EVENT_MESSAGE = 1024;

export class EventRecorder {
  private readonly logger: Logger;

  constructor(private readonly options: EventRecorderOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Fire and forget: a lost Event is logged, never retried, never fatal. */
  record(object: KubeObject, type: EventType, reason: string, message: string): void {
    const namespace = object.metadata.namespace ?? 'default';
    const now = (this.options.now ?? (() => new Date()))().toISOString();
    const text = message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 3)}...` : message;
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${object.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      type,
      reason,
      message: text,
      source: { component: 'switchyard-operator' },
      reportingComponent: 'switchyard.dev/operator',
      reportingInstance: this.options.replicaId.slice(0, 128),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.options.client.create(resourcePath(EVENTS, namespace), event).catch((error: unknown) => {
      this.logger.warn('could not record event', { object: `${object.kind} ${namespace}/${object.metadata.name}`, reason, error: errorMessage(error) });
    });
  }
}
