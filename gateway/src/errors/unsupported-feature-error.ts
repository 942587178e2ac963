import type { ProviderName } from '@switchyard/compiler';

/** Thrown by an encoder for a feature this provider cannot serve (-> 400 naming feature and backend). */
export class UnsupportedFeatureError extends Error {
  constructor(
    readonly feature: string,
    readonly provider: ProviderName,
    /** The caller's field that asked for it, when one did (the 400's `param`). */
    readonly param?: string,
  ) {
    super(`${feature} is not supported by provider ${provider}`);
    this.name = 'UnsupportedFeatureError';
  }
}
