// What the upstream decoders share: the malformed-answer failure and count reading.

import type { ProviderName } from '@switchyard/compiler';
import { UpstreamFailure } from '../../errors/upstream-failure.js';

export function malformedImages(provider: ProviderName, what: string): UpstreamFailure {
  return new UpstreamFailure('ServerError', 200, `${provider} returned a malformed image response: ${what}`);
}

/** A non-negative integer count, else undefined (absent, null or nonsense). */
export function countOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
