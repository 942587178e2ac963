// The output rule shared by providers that return image bytes only (Imagen, Bedrock): the
// gateway hosts no files, so a caller asking for `url` is refused with a 400 naming the field
// rather than given a URL nobody serves.

import type { ProviderName } from '@switchyard/compiler';
import { UnsupportedFeatureError } from '../../errors/unsupported-feature-error.js';
import type { UnifiedImageRequest } from '../../unified/images.js';

export function refuseUrlOutput(request: UnifiedImageRequest, provider: ProviderName): void {
  if (request.responseFormat === 'url')
    throw new UnsupportedFeatureError(
      "'response_format: url' (this model returns image bytes only; ask for 'b64_json')",
      provider,
      'response_format',
    );
}
