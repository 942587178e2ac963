// The manifests the compiler reads. The Switchyard kinds' shapes are generated from the CRDs in
// crds/ (generated/resource-shapes.ts, by scripts/generate-crds.mjs, with CRD_DEFAULTS); this
// file adds what the CRDs do not define: Secrets, ConfigMaps and the API version.

import type { ObjectMeta } from './object-meta-types.js';
import type { SwitchyardManifest } from './generated/resource-shapes.js';

export const SWITCHYARD_API_VERSION = 'switchyard.dev/v1alpha1';
export const SWITCHYARD_GROUP = 'switchyard.dev';

/** A core/v1 Secret. `data` values are base64, as the API server serves them. */
export interface SecretManifest {
  apiVersion: string;
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  immutable?: boolean;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export type Manifest = SwitchyardManifest | SecretManifest;

/** `ModelRoute default/gpt-4o`: how messages name an object. */
export function describeObject(kind: string, metadata: { namespace?: string; name?: string } | undefined): string {
  return `${kind} ${metadata?.namespace ?? 'default'}/${metadata?.name ?? '<unnamed>'}`;
}

/** A core/v1 ConfigMap (MCPServer `spec.openapi.configMapRef`). `binaryData` values are base64. */
export interface ConfigMapManifest {
  apiVersion: string;
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  immutable?: boolean;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}
