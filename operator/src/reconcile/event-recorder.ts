// core/v1 Events on our objects, so `kubectl describe` tells the story. Messages come from the
// compiler's diagnostics and the operator's own text; neither ever holds key material.
import type { KubeClient } from '../kube/kube-client.js';
import { EVENTS, resourcePath, type KubeObject } from '../kube/resources.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';

type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: Pick<KubeClient, 'create'>;
  replicaId: string;
  logger?: Logger;
  now?: () => Date;
  /** Sustained Events per second across all objects; excess ones are dropped. Default 20. */
  ratePerSecond?: number;
  /** Burst allowance (a fresh install with thousands of objects). Default 200. */
  burst?: number;
  onDropped?(): void;
}

const MAX_EVENT_MESSAGE = 1024;

export class EventRecorder {
  private readonly logger: Logger;
  private tokens: number;
  private refilledAt = Date.now();
  private dropped = 0;

  constructor(private readonly options: EventRecorderOptions) {
    this.logger = options.logger ?? silentLogger;
    this.tokens = options.burst ?? 200;
  }

  /**
   * Fire and forget: a lost Event is logged, never retried, never fatal. A token bucket keeps a
   * burst of changes (thousands of objects accepted at once) from flooding the API server with
   * Events; status carries the same information.
   */
  record(object: KubeObject, type: EventType, reason: string, message: string): void {
    const now = Date.now();
    const burst = this.options.burst ?? 200;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * (this.options.ratePerSecond ?? 20));
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.options.onDropped?.();
      if (this.dropped++ % 1000 === 0) this.logger.warn('dropping Events: more than the event rate limit', { dropped: this.dropped });
      return;
    }
    this.tokens -= 1;
    const namespace = object.metadata.namespace ?? 'default';
    const stamp = (this.options.now ?? (() => new Date()))().toISOString();
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
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
    };
    this.options.client.create(resourcePath(EVENTS, namespace), event).catch((error: unknown) => {
      this.logger.warn('could not record event', {
        object: `${object.kind} ${namespace}/${object.metadata.name}`,
        reason,
        error: errorMessage(error),
      });
    });
  }
}
