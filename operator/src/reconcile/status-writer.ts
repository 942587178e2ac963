// The status an object should have (its compile diagnostic, Programmed from the gateways'
// acknowledgements, its kind's own fields), compared with the status it has; only the
// difference is written, with an Event per condition that changed.
import type { DiagnosticCondition, KindDefinition } from '@switchyard/compiler';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-client.js';
import { kindResourceType, resourcePath } from '../kube/resources.js';
import type { OperatorMetrics } from '../observe/operator-metrics.js';
import type { AcknowledgementTracker } from './acknowledgement-tracker.js';
import {
  changedConditions,
  conditionsEqual,
  mergeConditions,
  programmedCondition,
  readConditions,
  type Condition,
  type DesiredCondition,
} from './conditions.js';
import type { EventRecorder } from './event-recorder.js';
import type { CrObject } from './kind-watches.js';
import type { StatusContribution, StatusContributor } from './status-contributor.js';
import type { CompiledState } from './table-compilation.js';

export interface StatusWriterOptions {
  client: KubeClient;
  events: EventRecorder;
  tracker: AcknowledgementTracker;
  metrics?: OperatorMetrics;
  now?: () => Date;
  /** Conditions and fields from the operator's own checks, by kind (MCPServer Ready). */
  contributors?: readonly StatusContributor[];
}

export class StatusWriter {
  constructor(private readonly options: StatusWriterOptions) {}

  async write(kind: KindDefinition, key: string, object: CrObject, compiled: CompiledState): Promise<void> {
    const diagnostic = compiled.diagnostics.get(key);
    const generation = object.metadata.generation ?? 1;
    // An object newer than the last compile waits for the compile already scheduled for it.
    if (!diagnostic || diagnostic.generation !== generation) return;

    const status = object.status ?? {};
    const existing = readConditions(status);
    const accepted = diagnostic.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
    const refusal = diagnostic.conditions.find((c) => c.type === 'Accepted' && c.status === 'False')?.message;
    const contributed = this.contributions(kind, key, generation, accepted, refusal);
    const conditions = this.desiredConditions(key, diagnostic.conditions, generation, existing, contributed.conditions);
    const fields = { ...(compiled.statusFields.get(key) ?? {}), ...contributed.fields };
    const unchanged =
      conditionsEqual(existing, conditions) &&
      status['observedGeneration'] === generation &&
      // Fields may be lists (MCPServer tools): compared by value.
      Object.entries(fields).every(([field, value]) => JSON.stringify(status[field]) === JSON.stringify(value));
    if (unchanged) return;

    const patch: Record<string, unknown> = {
      metadata: { resourceVersion: object.metadata.resourceVersion },
      status: { observedGeneration: generation, conditions, ...fields },
    };
    try {
      await this.options.client.patch(
        resourcePath(kindResourceType(kind), object.metadata.namespace, object.metadata.name, 'status'),
        patch,
        'merge',
      );
      this.options.metrics?.statusWrites.inc({ result: 'success' });
    } catch (error) {
      this.options.metrics?.statusWrites.inc({ result: error instanceof KubeApiError && error.conflict ? 'conflict' : 'error' });
      if (error instanceof KubeApiError && error.notFound) return; // deleted meanwhile
      throw error;
    }
    this.recordEvents(object, existing, conditions);
  }

  private contributions(
    kind: KindDefinition,
    key: string,
    generation: number,
    accepted: boolean,
    refusal: string | undefined,
  ): StatusContribution {
    const all: StatusContribution = { conditions: [], fields: {} };
    for (const contributor of this.options.contributors ?? []) {
      if (contributor.kind !== kind.kind) continue;
      const contribution = contributor.statusOf(key, generation, accepted, refusal);
      all.conditions.push(...contribution.conditions);
      Object.assign(all.fields, contribution.fields);
    }
    return all;
  }

  /** The compiler's conditions, Programmed and the contributed ones, merged into the existing ones (transition times kept). */
  private desiredConditions(
    key: string,
    compiledConditions: readonly DiagnosticCondition[],
    generation: number,
    existing: Condition[],
    contributed: readonly DesiredCondition[],
  ): Condition[] {
    const accepted = compiledConditions.some((c) => c.type === 'Accepted' && c.status === 'True');
    const desired: DesiredCondition[] = compiledConditions.map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      observedGeneration: generation,
    }));
    desired.push(
      programmedCondition({
        generation,
        accepted,
        acknowledgedGeneration: this.options.tracker.acknowledgedGeneration(key),
        existing: existing.find((c) => c.type === 'Programmed'),
      }),
      ...contributed,
    );
    const now = (this.options.now ?? (() => new Date()))()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    return mergeConditions(existing, desired, now);
  }

  private recordEvents(object: CrObject, existing: Condition[], conditions: Condition[]): void {
    for (const condition of changedConditions(existing, conditions)) {
      if (condition.type === 'Programmed') continue; // once per generation: status says it, an Event would be noise
      if (condition.type === 'Ready' && condition.status === 'Unknown') continue; // a check under way is not news
      const healthy = condition.type === 'PriceUnknown' ? condition.status === 'False' : condition.status === 'True';
      // A first healthy PriceUnknown=False says nothing worth an Event.
      if (condition.type === 'PriceUnknown' && healthy && !existing.some((c) => c.type === 'PriceUnknown')) continue;
      this.options.events.record(
        object,
        healthy ? 'Normal' : 'Warning',
        condition.reason,
        `${condition.type}=${condition.status}: ${condition.message}`,
      );
    }
  }
}
