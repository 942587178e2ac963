// metav1.Condition bookkeeping: the operator owns some condition types on each object and
// leaves the others (Budget's Exceeded, written by the spend path) alone. lastTransitionTime
// moves only when a condition's status changes, so rewriting an unchanged condition is a no-op.

type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type DesiredCondition = Omit<Condition, 'lastTransitionTime'>;

/** Condition types this operator writes; any other type on an object is preserved. */
const MANAGED_CONDITION_TYPES = ['Accepted', 'ResolvedRefs', 'Programmed', 'PriceUnknown', 'Ready'] as const;

/** The API server caps messages at 32 KiB; keep them well under it. */
const MAX_MESSAGE_LENGTH = 4096;

export function mergeConditions(existing: readonly Condition[], desired: readonly DesiredCondition[], now: string): Condition[] {
  const managed = new Set<string>(MANAGED_CONDITION_TYPES);
  const merged: Condition[] = desired.map((want) => {
    const message = want.message.length > MAX_MESSAGE_LENGTH ? `${want.message.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : want.message;
    const have = existing.find((c) => c.type === want.type);
    const lastTransitionTime = have && have.status === want.status ? have.lastTransitionTime : now;
    return { ...want, message, lastTransitionTime };
  });
  for (const condition of existing) {
    if (!managed.has(condition.type) && !merged.some((c) => c.type === condition.type)) merged.push(condition);
  }
  return merged;
}

export function conditionsEqual(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => {
    const y = b.find((c) => c.type === x.type);
    return (
      y !== undefined &&
      x.status === y.status &&
      x.reason === y.reason &&
      x.message === y.message &&
      (x.observedGeneration ?? -1) === (y.observedGeneration ?? -1) &&
      x.lastTransitionTime === y.lastTransitionTime
    );
  });
}

/** Conditions whose status or reason differ from before (new ones included): what Events report. */
export function changedConditions(existing: readonly Condition[], next: readonly Condition[]): Condition[] {
  return next.filter((c) => {
    const before = existing.find((e) => e.type === c.type);
    return !before || before.status !== c.status || before.reason !== c.reason;
  });
}

/** Reads `status.conditions` defensively: anything malformed is ignored rather than trusted. */
export function readConditions(status: unknown): Condition[] {
  if (!status || typeof status !== 'object') return [];
  const list = (status as { conditions?: unknown }).conditions;
  if (!Array.isArray(list)) return [];
  const out: Condition[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const c = item as Record<string, unknown>;
    if (typeof c.type !== 'string' || (c.status !== 'True' && c.status !== 'False' && c.status !== 'Unknown')) continue;
    out.push({
      type: c.type,
      status: c.status,
      reason: typeof c.reason === 'string' ? c.reason : '',
      message: typeof c.message === 'string' ? c.message : '',
      ...(typeof c.observedGeneration === 'number' ? { observedGeneration: c.observedGeneration } : {}),
      lastTransitionTime: typeof c.lastTransitionTime === 'string' ? c.lastTransitionTime : '',
    });
  }
  return out;
}

interface ProgrammedInput {
  generation: number;
  /** Whether the object is in the current routing table. */
  accepted: boolean;
  /** The generation of this object in the latest table every connected gateway acknowledged. */
  acknowledgedGeneration: number | undefined;
  existing: Condition | undefined;
}

/**
 * Programmed only moves forward on acknowledgements: True is written when the gateways first
 * acknowledge the object's generation, and kept (not downgraded) while the operator merely lacks
 * news, e.g. right after a restart, before the gateways reconnect. A new generation resets it to
 * Unknown in the same write that reports the new Accepted, so it costs no extra API call.
 */
export function programmedCondition(input: ProgrammedInput): DesiredCondition {
  const { generation } = input;
  if (!input.accepted) {
    return {
      type: 'Programmed',
      status: 'False',
      reason: 'NotAccepted',
      message: 'not in the routing table (see Accepted)',
      observedGeneration: generation,
    };
  }
  const acknowledged =
    input.acknowledgedGeneration === generation ||
    (input.existing?.status === 'True' && input.existing.reason === 'Programmed' && input.existing.observedGeneration === generation);
  if (acknowledged) {
    return {
      type: 'Programmed',
      status: 'True',
      reason: 'Programmed',
      message: `every connected gateway acknowledged a routing table containing generation ${generation}`,
      observedGeneration: generation,
    };
  }
  return {
    type: 'Programmed',
    status: 'Unknown',
    reason: 'Pending',
    message: `waiting for the connected gateways to acknowledge a routing table containing generation ${generation}`,
    observedGeneration: generation,
  };
}
