import type { ProviderName } from '@switchyard/compiler';

/** Thrown by an encoder for a feature this provider cannot serve (-> 400 naming feature and backend). */
export class UnsupportedFeatureError extends Error {
  constructor(
    readonly feature: string,
    readonly provider: ProviderName,
  ) {
    super(`${feature} is not supported by provider ${provider}`);
    this.name = 'UnsupportedFeatureError';
  }
}
