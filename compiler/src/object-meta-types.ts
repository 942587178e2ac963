// The metadata every Kubernetes object carries, as far as the compiler reads it.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  creationTimestamp?: string;
  uid?: string;
  resourceVersion?: string;
}
