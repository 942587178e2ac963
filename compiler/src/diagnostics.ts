// What the compiler says about each object. The operator turns these into status conditions;
// standalone mode turns the failing ones into a ConfigError. Messages never carry key material.

type DiagnosticConditionType = 'Accepted' | 'ResolvedRefs' | 'PriceUnknown';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface DiagnosticCondition {
  type: DiagnosticConditionType;
  status: ConditionStatus;
  /** CamelCase reason, e.g. Accepted, Invalid, Conflict, SecretNotFound, ResolvedRefs. */
  reason: string;
  message: string;
}

export interface ObjectDiagnostic {
  /** A registered kind (see kinds/kind-registry.ts). */
  kind: string;
  namespace: string;
  name: string;
  generation: number;
  conditions: DiagnosticCondition[];
}

/** Condition reasons the compiler uses, gathered so that the operator and docs can rely on them. */
export const DiagnosticReasons = {
  Accepted: 'Accepted',
  Invalid: 'Invalid',
  Conflict: 'Conflict',
  NoBackends: 'NoBackends',
  DuplicateKey: 'DuplicateKey',
  DuplicateSubject: 'DuplicateSubject',
  UnresolvedRefs: 'UnresolvedRefs',
  ResolvedRefs: 'ResolvedRefs',
  SecretNotFound: 'SecretNotFound',
  SecretKeyNotFound: 'SecretKeyNotFound',
  InvalidSecret: 'InvalidSecret',
  FallbackNotFound: 'FallbackNotFound',
  PriceUnknown: 'PriceUnknown',
  PricesKnown: 'PricesKnown',
  NotSupported: 'NotSupported',
  StandaloneOnly: 'StandaloneOnly',
  MCPServerNotFound: 'MCPServerNotFound',
  EmbeddingModelNotFound: 'EmbeddingModelNotFound',
  UnsafePattern: 'UnsafePattern',
} as const;
