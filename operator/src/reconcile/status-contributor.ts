// Status an object gets from outside the compiler: a check the operator runs itself against
// something the object names (MCPServer Ready from connecting to the server). The status writer
// merges a contributor's conditions and fields into the object's status; the contributor queues
// the object when its answer changes.
import type { RoutingTable } from '@switchyard/compiler';
import type { DesiredCondition } from './conditions.js';

export interface StatusContribution {
  conditions: DesiredCondition[];
  /** Status fields to set; absent ones keep their value. */
  fields: Record<string, unknown>;
}

export interface StatusContributor {
  /** The kind whose objects it contributes to. */
  readonly kind: string;
  /** Every newly compiled table (published or unchanged). */
  observe(table: RoutingTable): void;
  /** Leadership arrived: whatever it knows may be stale. */
  recheckAll(): void;
  /** `refusal`: when not accepted, the Accepted=False message (what is wrong), for a contributor to repeat. */
  statusOf(key: string, generation: number, accepted: boolean, refusal?: string): StatusContribution;
  stop(): void;
}
